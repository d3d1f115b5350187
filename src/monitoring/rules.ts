// Recording and alert rules for portsyncd, on the metrics the daemon exports (daemon/src/metrics.ts).
// The guide's §14 names metrics that do not exist (…_latency_micros_bucket, …_events_total,
// …_context_switches); these are the real ones. One latency alert per distinct SLO in the fleet,
// selected by the target label slo_p99_us the scrape config sets. Annotations name the switch
// only, so that alert unit tests can state them exactly.

export interface RuleOptions {
  /** Distinct portsyncd_health_max_p99_us values of the fleet. */
  slosUs: number[];
  /** The guide's §3.2 ceiling for context switches per second. */
  maxContextSwitchesPerSec: number;
  /** RSS growth that alerts, per hour, sustained. */
  rssGrowthMbPerHour: number;
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export const P99_RECORD = 'portsyncd:event_latency_seconds:p99_5m';

export function ruleGroups(o: RuleOptions): RuleGroup[] {
  const recording: Rule[] = [
    {
      record: P99_RECORD,
      expr: 'histogram_quantile(0.99, sum by (job, instance, switch, group, groups, slo_p99_us, le) (rate(portsyncd_event_latency_seconds_bucket[5m])))',
    },
    {
      record: 'portsyncd:netlink_events:rate5m',
      expr: 'sum by (job, instance, switch, group, groups) (rate(portsyncd_netlink_events_total{type!="dump_reply"}[5m]))',
    },
    {
      record: 'portsyncd:context_switches:rate5m',
      expr: 'sum by (job, instance, switch, group, groups) (rate(portsyncd_process_context_switches_total[5m]))',
    },
    {
      record: 'portsyncd:cpu:rate5m',
      expr: 'sum by (job, instance, switch, group, groups) (rate(portsyncd_process_cpu_seconds_total[5m]))',
    },
    {
      record: 'portsyncd:redis_writes:rate5m',
      expr: 'sum by (job, instance, switch, group, groups) (rate(portsyncd_redis_writes_total[5m]))',
    },
  ];
  const alert = (name: string, expr: string, forDur: string, severity: string, summary: string, description: string): Rule => ({
    alert: name,
    expr,
    ...(forDur === '0m' ? {} : { for: forDur }),
    labels: { severity },
    annotations: { summary, description },
  });
  const alerts: Rule[] = [
    alert(
      'PortsyncdNetlinkDrops',
      'increase(portsyncd_netlink_drops_total[5m]) > 0',
      '0m',
      'critical',
      'portsyncd on {{ $labels.switch }} lost netlink messages',
      'The netlink receive queue overflowed (ENOBUFS) in the last 5 minutes; the daemon resyncs, but the queue is too small for the event rate (guide §1.1, §8.3).',
    ),
    alert(
      'PortsyncdResyncs',
      'increase(portsyncd_resyncs_total[5m]) > 0',
      '0m',
      'warning',
      'portsyncd on {{ $labels.switch }} resynced from a kernel dump',
      'The daemon rebuilt its view from a kernel dump in the last 5 minutes (after a netlink overflow, or a datagram larger than its read buffer).',
    ),
    // One rule per SLO, told apart by the slo_p99_us label the series already carries.
    ...o.slosUs.map((us) => {
      const r = alert(
        'PortsyncdLatencyP99AboveSlo',
        `${P99_RECORD}{slo_p99_us="${us}"} > ${us / 1e6}`,
        '10m',
        'warning',
        'portsyncd event latency P99 on {{ $labels.switch }} above its SLO',
        `P99 above ${us} µs (portsyncd_health_max_p99_us) for 10 minutes.`,
      );
      return { ...r, labels: { ...r.labels, slo_p99_us: String(us) } };
    }),
    alert(
      'PortsyncdRedisDisconnected',
      'portsyncd_redis_connected == 0',
      '1m',
      'critical',
      'portsyncd on {{ $labels.switch }} is not connected to Redis',
      'STATE_DB is not being written.',
    ),
    alert(
      'PortsyncdUnhealthy',
      'portsyncd_healthy == 0',
      '1m',
      'critical',
      '/healthz of portsyncd on {{ $labels.switch }} fails',
      'The daemon reports itself unhealthy (initial sync, Redis or netlink).',
    ),
    alert(
      'PortsyncdTargetDown',
      'up{job="portsyncd"} == 0',
      '1m',
      'critical',
      'portsyncd on {{ $labels.switch }} cannot be scraped',
      'The daemon is down or its HTTP port unreachable from Prometheus.',
    ),
    alert(
      'PortsyncdRssGrowing',
      // Only a daemon up for an hour: a fresh one's first minutes of RSS (start-up, then the
      // release of start-up pages) are no trend, and would keep the alert pending after every deploy.
      `deriv(portsyncd_process_resident_memory_bytes[1h]) * 3600 > ${o.rssGrowthMbPerHour * 1048576} and (time() - portsyncd_process_start_time_seconds) > 3600`,
      '1h',
      'warning',
      'portsyncd RSS on {{ $labels.switch }} keeps growing',
      `More than ${o.rssGrowthMbPerHour} MB per hour for over an hour.`,
    ),
    alert(
      'PortsyncdContextSwitchesHigh',
      `portsyncd:context_switches:rate5m > ${o.maxContextSwitchesPerSec}`,
      '10m',
      'warning',
      'portsyncd on {{ $labels.switch }} switches context too often',
      `More than ${o.maxContextSwitchesPerSec} per second for 10 minutes; the guide (§3.2) expects at most that.`,
    ),
  ];
  return [
    { name: 'portsyncd.recording', rules: recording },
    { name: 'portsyncd.alerts', rules: alerts },
  ];
}
