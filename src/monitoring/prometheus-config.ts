// prometheus.yml: the portsyncd job reads its targets from targets/portsyncd.json (file_sd, so a
// changed fleet needs no restart) and loads rules/*.yml; paths are relative to the config file.

export interface ScrapeOptions {
  scrapeInterval: string;
  evaluationInterval: string;
}

export const TARGETS_FILE = 'targets/portsyncd.json';
export const RULES_FILE = 'rules/portsyncd.yml';
export const DASHBOARD_FILE = 'grafana/portsyncd.json';

export function prometheusConfig(o: ScrapeOptions): Record<string, unknown> {
  return {
    global: { scrape_interval: o.scrapeInterval, evaluation_interval: o.evaluationInterval },
    rule_files: ['rules/*.yml'],
    scrape_configs: [
      {
        job_name: 'portsyncd',
        metrics_path: '/metrics',
        file_sd_configs: [{ files: [TARGETS_FILE], refresh_interval: '1m' }],
      },
    ],
  };
}
