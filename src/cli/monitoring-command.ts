// `portsync-deploy monitoring -i INV --out DIR`: Prometheus and Grafana assets for the fleet:
//   DIR/prometheus.yml, DIR/targets/portsyncd.json, DIR/rules/portsyncd.yml, DIR/grafana/portsyncd.json
// Variables (playbooks/defaults, group_vars, host_vars, -e): portsyncd_http_port and
// portsyncd_health_max_p99_us per switch; monitoring_scrape_interval, monitoring_evaluation_interval,
// monitoring_max_context_switches, monitoring_rss_growth_mb_per_hour for the fleet.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { EXIT, ValidationError } from '../errors.js';
import type { CliOptions } from './options.js';
import { PACKAGE_ROOT } from './paths.js';
import { extraVars, requireInventory } from './workspace.js';
import { writeFileAtomic } from '../write-atomic.js';
import { loadPlaybookDefaults } from '../vars/defaults.js';
import type { Vars } from '../playbook/types.js';
import { hostVars } from '../vars/precedence.js';
import { dashboard } from '../monitoring/dashboard.js';
import { DASHBOARD_FILE, prometheusConfig, RULES_FILE, TARGETS_FILE } from '../monitoring/prometheus-config.js';
import { ruleGroups } from '../monitoring/rules.js';
import { fileSd, inventoryTargets, MONITORING_GROUP } from '../monitoring/targets.js';

/** The daemon's defaults (HTTP port, health thresholds) live with the playbooks. */
const DEFAULTS_OF = join(PACKAGE_ROOT, 'playbooks/parts/daemon.yaml');

const DURATION = /^\d+(ms|s|m|h)$/;

function fleetVar(vars: Vars, name: string, fallback: string | number): string {
  const v = vars[name] ?? fallback;
  return String(v);
}

export function monitoringCommand(o: CliOptions): number {
  if (!o.out)
    throw new ValidationError([
      { message: 'monitoring needs --out DIR', hint: 'portsync-deploy monitoring -i inventories/<fleet> --out monitoring/' },
    ]);
  const out = resolve(o.out);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new ValidationError([{ message: `--out ${o.out} is not a folder` }]);
  const inv = requireInventory(o);
  const extra = extraVars(o);
  const defaults = loadPlaybookDefaults(DEFAULTS_OF);
  const targets = inventoryTargets(inv, defaults, extra);
  // Fleet-wide settings: as the first switch sees them (group_vars/all, defaults, -e).
  const fleet = hostVars(inv, targets[0]!.switch, { defaults, extra });
  const scrapeInterval = fleetVar(fleet, 'monitoring_scrape_interval', '15s');
  const evaluationInterval = fleetVar(fleet, 'monitoring_evaluation_interval', scrapeInterval);
  for (const [name, v] of [
    ['monitoring_scrape_interval', scrapeInterval],
    ['monitoring_evaluation_interval', evaluationInterval],
  ]) {
    if (!DURATION.test(v!)) throw new ValidationError([{ message: `${name} must be a Prometheus duration such as 15s or 1m, got "${v}"` }]);
  }
  const maxCs = Number(fleetVar(fleet, 'monitoring_max_context_switches', 2000));
  const rssGrowth = Number(fleetVar(fleet, 'monitoring_rss_growth_mb_per_hour', 10));
  for (const [name, n] of [
    ['monitoring_max_context_switches', maxCs],
    ['monitoring_rss_growth_mb_per_hour', rssGrowth],
  ] as const) {
    if (!Number.isFinite(n) || n <= 0) throw new ValidationError([{ message: `${name} must be a positive number` }]);
  }

  const slos = [...new Set(targets.map((t) => t.sloP99Us))].sort((a, b) => a - b);
  const groups = [...new Set(targets.flatMap((t) => t.groups))].filter((g) => g !== 'all');
  const files: [string, string][] = [
    ['prometheus.yml', stringify(prometheusConfig({ scrapeInterval, evaluationInterval }))],
    [TARGETS_FILE, JSON.stringify(fileSd(targets), null, 2) + '\n'],
    [
      RULES_FILE,
      stringify({ groups: ruleGroups({ slosUs: slos, maxContextSwitchesPerSec: maxCs, rssGrowthMbPerHour: rssGrowth }) }, { lineWidth: 0 }),
    ],
    [DASHBOARD_FILE, JSON.stringify(dashboard(groups), null, 2) + '\n'],
  ];
  for (const [rel, text] of files) {
    const path = join(out, rel);
    mkdirSync(dirname(path), { recursive: true });
    // Prometheus may be reading the targets file while it is replaced.
    writeFileAtomic(path, text);
  }
  const loopback = targets.filter((t) => /^(127\.|::1$|localhost$)/.test(t.listen));
  if (loopback.length) {
    process.stderr.write(
      `warning: portsyncd on ${loopback.length} of ${targets.length} switches listens on ${loopback[0]!.listen} only; a remote Prometheus cannot scrape it. Set portsyncd_config: {http: {host: 0.0.0.0}} (or the switch's management address) and deploy.\n`,
    );
  }
  process.stdout.write(
    `${targets.length} switches (${slos.length} latency SLO${slos.length === 1 ? '' : 's'}), hosts of group "${MONITORING_GROUP}" left out; wrote ${files.map(([rel]) => join(o.out!, rel)).join(', ')}\n`,
  );
  return EXIT.ok;
}
