// The rendered monitoring assets against Debian's promtool: the config and rules load, every
// dashboard query parses as PromQL, and each alert fires for the switch that breaks it and for
// no other (promtool test rules, one unit test per alert rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { asPromql } from '../../../src/monitoring/dashboard.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

function promtool(args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Two pods with different latency SLOs, and a monitoring host that is not a target. */
function render(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-monitoring-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const inv = join(dir, 'inv');
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  writeFileSync(
    join(inv, 'hosts.yaml'),
    `all:\n  children:\n    leaf:\n      children:\n        pod1:\n          hosts:\n            leaf-[1:3]:\n        pod2:\n          hosts:\n            leaf-[4:5]:\n    monitoring:\n      hosts:\n        prom1: { ansible_host: 10.0.0.9 }\n`,
  );
  writeFileSync(join(inv, 'group_vars/pod1.yaml'), 'portsyncd_health_max_p99_us: 500\n');
  writeFileSync(join(inv, 'group_vars/all.yaml'), 'portsyncd_config: {http: {host: 0.0.0.0}}\nmonitoring_scrape_interval: 10s\n');
  const out = join(dir, 'out');
  const r = spawnSync(process.execPath, [BIN, 'monitoring', '-i', inv, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal(r.stderr, '', 'no loopback warning: the daemons listen on 0.0.0.0');
  return { dir, out };
}

test('monitoring: targets from the inventory, promtool check config and check rules pass, dashboard queries are PromQL', (t) => {
  const { dir, out } = render(t);
  const targets = JSON.parse(readFileSync(join(out, 'targets/portsyncd.json'), 'utf8'));
  assert.deepEqual(
    targets.map((x: { targets: string[] }) => x.targets[0]),
    ['leaf-1:9464', 'leaf-2:9464', 'leaf-3:9464', 'leaf-4:9464', 'leaf-5:9464'],
  );
  assert.deepEqual(targets[0].labels, { switch: 'leaf-1', group: 'pod1', groups: ',all,leaf,pod1,', slo_p99_us: '500' });
  assert.equal(targets[4].labels.slo_p99_us, '10000', 'playbook default');
  assert.equal(parse(readFileSync(join(out, 'prometheus.yml'), 'utf8')).global.scrape_interval, '10s');

  const config = promtool(['check', 'config', join(out, 'prometheus.yml')]);
  assert.equal(config.code, 0, config.out);
  assert.match(config.out, /SUCCESS: 2 rules found|SUCCESS/);
  const rules = promtool(['check', 'rules', join(out, 'rules/portsyncd.yml')]);
  assert.equal(rules.code, 0, rules.out);

  const dash = JSON.parse(readFileSync(join(out, 'grafana/portsyncd.json'), 'utf8'));
  const exprs: string[] = dash.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((x) => x.expr));
  assert.ok(exprs.length >= 10);
  for (const want of [
    'portsyncd_event_latency_seconds_bucket',
    'portsyncd_netlink_events_total',
    'portsyncd_netlink_drops_total',
    'portsyncd_process_context_switches_total',
    'portsyncd_process_resident_memory_bytes',
  ]) {
    assert.ok(
      exprs.some((e) => e.includes(want)),
      `a panel shows ${want}`,
    );
  }
  const asRules = join(dir, 'dashboard-queries.yml');
  writeFileSync(
    asRules,
    stringify({ groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: asPromql(e) })) }] }),
  );
  const queries = promtool(['check', 'rules', asRules]);
  assert.equal(queries.code, 0, queries.out);
  // The check can fail: a broken query is refused.
  writeFileSync(
    asRules,
    stringify({
      groups: [{ name: 'dashboard', rules: [{ record: 'dashboard:broken', expr: 'rate(portsyncd_netlink_events_total[5m]' }] }],
    }),
  );
  assert.notEqual(promtool(['check', 'rules', asRules]).code, 0);
});

test('monitoring: promtool test rules, one alert unit test per rule: the broken switch alerts, the other does not', (t) => {
  const { dir, out } = render(t);
  const rules = parse(readFileSync(join(out, 'rules/portsyncd.yml'), 'utf8')) as {
    groups: { rules: { alert?: string; annotations?: Record<string, string>; labels?: Record<string, string> }[] }[];
  };
  const alertRules = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  const base = (sw: string, pod: string, slo: string) => ({
    job: 'portsyncd',
    instance: `${sw}:9464`,
    switch: sw,
    group: pod,
    groups: `,all,leaf,${pod},`,
    slo_p99_us: slo,
  });
  const bad = base('leaf-1', 'pod1', '500');
  const good = base('leaf-4', 'pod2', '10000');
  const fresh = base('leaf-5', 'pod2', '10000');
  const sel = (name: string, l: Record<string, string>) =>
    `${name}{${Object.entries(l)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`;
  const annotations = (name: string, slo?: string) => {
    const r = alertRules.find((x) => x.alert === name && (!slo || x.labels?.slo_p99_us === slo))!;
    return Object.fromEntries(Object.entries(r.annotations!).map(([k, v]) => [k, v.replaceAll('{{ $labels.switch }}', bad.switch)]));
  };
  const { slo_p99_us: _, ...badNoSlo } = bad;
  const latency = (l: Record<string, string>) => [
    { series: sel('portsyncd_event_latency_seconds_bucket', { ...l, le: '0.0001' }), values: '0+0x30' },
    { series: sel('portsyncd_event_latency_seconds_bucket', { ...l, le: '0.0005' }), values: '0+0x30' },
    { series: sel('portsyncd_event_latency_seconds_bucket', { ...l, le: '0.001' }), values: '0+600x30' },
    { series: sel('portsyncd_event_latency_seconds_bucket', { ...l, le: '+Inf' }), values: '0+600x30' },
  ];
  const cases: { alert: string; slo?: string; at: string; series: { series: string; values: string }[]; labels: Record<string, string> }[] =
    [
      {
        alert: 'PortsyncdNetlinkDrops',
        at: '3m',
        series: [
          { series: sel('portsyncd_netlink_drops_total', bad), values: '0 0 3 3' },
          { series: sel('portsyncd_netlink_drops_total', good), values: '0 0 0 0' },
        ],
        labels: bad,
      },
      {
        alert: 'PortsyncdResyncs',
        at: '3m',
        series: [
          { series: sel('portsyncd_resyncs_total', { ...bad, reason: 'enobufs' }), values: '0 0 1 1' },
          { series: sel('portsyncd_resyncs_total', { ...good, reason: 'enobufs' }), values: '0 0 0 0' },
        ],
        labels: { ...bad, reason: 'enobufs' },
      },
      // The same latency breaks pod1's 500 µs SLO, not pod2's 10 ms one.
      { alert: 'PortsyncdLatencyP99AboveSlo', slo: '500', at: '20m', series: [...latency(bad), ...latency(good)], labels: bad },
      {
        alert: 'PortsyncdRedisDisconnected',
        at: '5m',
        series: [
          { series: sel('portsyncd_redis_connected', bad), values: '1 1 0 0 0 0' },
          { series: sel('portsyncd_redis_connected', good), values: '1 1 1 1 1 1' },
        ],
        labels: bad,
      },
      {
        alert: 'PortsyncdUnhealthy',
        at: '5m',
        series: [
          { series: sel('portsyncd_healthy', bad), values: '1 1 0 0 0 0' },
          { series: sel('portsyncd_healthy', good), values: '1 1 1 1 1 1' },
        ],
        labels: bad,
      },
      {
        alert: 'PortsyncdTargetDown',
        at: '5m',
        series: [
          { series: sel('up', bad), values: '1 1 0 0 0 0' },
          { series: sel('up', good), values: '1 1 1 1 1 1' },
        ],
        labels: bad,
      },
      {
        alert: 'PortsyncdRssGrowing',
        at: '150m',
        series: [
          { series: sel('portsyncd_process_resident_memory_bytes', bad), values: '50000000+500000x180' },
          { series: sel('portsyncd_process_resident_memory_bytes', good), values: '50000000+0x180' },
          // Both up since the epoch, as promtool's clock starts there.
          { series: sel('portsyncd_process_start_time_seconds', bad), values: '0+0x180' },
          { series: sel('portsyncd_process_start_time_seconds', good), values: '0+0x180' },
          // Growing as fast, but restarted 10 minutes before: no trend yet, no alert.
          { series: sel('portsyncd_process_resident_memory_bytes', fresh), values: '50000000+500000x180' },
          { series: sel('portsyncd_process_start_time_seconds', fresh), values: '8400+0x180' },
        ],
        labels: bad,
      },
      {
        alert: 'PortsyncdContextSwitchesHigh',
        at: '20m',
        series: [
          { series: sel('portsyncd_process_context_switches_total', { ...bad, kind: 'voluntary' }), values: '0+150000x30' },
          { series: sel('portsyncd_process_context_switches_total', { ...bad, kind: 'involuntary' }), values: '0+30000x30' },
          { series: sel('portsyncd_process_context_switches_total', { ...good, kind: 'voluntary' }), values: '0+60000x30' },
        ],
        labels: badNoSlo,
      },
    ];
  const covered = new Set(cases.map((c) => `${c.alert}/${c.slo ?? ''}`));
  for (const r of alertRules) {
    if (r.alert === 'PortsyncdLatencyP99AboveSlo' && r.labels?.slo_p99_us !== '500') continue; // the 10 ms rule is the "does not fire" half
    assert.ok(covered.has(`${r.alert}/${r.labels?.slo_p99_us ?? ''}`), `no unit test for ${r.alert}`);
  }
  const tests = cases.map((c) => {
    const rule = alertRules.find((x) => x.alert === c.alert && (!c.slo || x.labels?.slo_p99_us === c.slo))!;
    return {
      interval: '1m',
      input_series: c.series,
      alert_rule_test: [
        {
          eval_time: c.at,
          alertname: c.alert,
          exp_alerts: [{ exp_labels: { ...c.labels, ...rule.labels }, exp_annotations: annotations(c.alert, c.slo) }],
        },
      ],
    };
  });
  const file = join(dir, 'alerts.test.yml');
  writeFileSync(file, stringify({ rule_files: [join(out, 'rules/portsyncd.yml')], evaluation_interval: '1m', tests }));
  const r = promtool(['test', 'rules', file]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS/);

  // The tests can fail: the healthy switch is not expected to alert, so an alert there is an error.
  const wrong = tests.map((x) => ({ ...x, alert_rule_test: x.alert_rule_test.map((a) => ({ ...a, exp_alerts: [] })) }));
  writeFileSync(file, stringify({ rule_files: [join(out, 'rules/portsyncd.yml')], evaluation_interval: '1m', tests: wrong }));
  assert.notEqual(promtool(['test', 'rules', file]).code, 0);
});
