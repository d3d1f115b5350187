import { test } from 'node:test';
import assert from 'node:assert/strict';
import healthCheck from '../../../modules/health_check/index.js';
import { histogramQuantile, kernelPorts, parseMetrics, redisPorts } from '../../../modules/health_check/parse.js';
import { portStateCheck } from '../../../modules/health_check/probe.js';
import type { HealthCheckArgs } from '../../../modules/health_check/schema.js';
import type { CmdFact } from '../../../src/facts/types.js';
import { fakeContext, fakeFacts } from '../../helpers/fake-facts.js';
import { withDefaults } from './support.js';

const ok = (stdout: string): CmdFact => ({ rc: 0, stdout, stderr: '' });
const http = (status: number, body: string) => ok(`HTTP/1.1 ${status} X\r\nContent-Type: text/plain\r\n\r\n${body}`);
const link = (ifname: string, up: boolean, running: boolean) => ({
  ifname,
  flags: up ? ['BROADCAST', 'UP', 'LOWER_UP'] : ['BROADCAST'],
  operstate: running ? 'UP' : 'DOWN',
});

const METRICS = `# TYPE portsyncd_event_latency_seconds histogram
portsyncd_event_latency_seconds_bucket{le="0.0001"} 10
portsyncd_event_latency_seconds_bucket{le="0.00025"} 95
portsyncd_event_latency_seconds_bucket{le="0.0005"} 100
portsyncd_event_latency_seconds_bucket{le="+Inf"} 100
portsyncd_event_latency_seconds_sum 0.02
portsyncd_event_latency_seconds_count 100
portsyncd_netlink_drops_total 0
portsyncd_netlink_rcvbuf_bytes 33554432
portsyncd_netlink_rcvbuf_requested_bytes 16777216
portsyncd_process_resident_memory_bytes 52428800
`;

function healthy(): Record<string, CmdFact> {
  return {
    [`systemctl show -p LoadState,Type,ActiveState,SubState,NRestarts -- portsyncd.service`]: ok(
      'Type=notify\nActiveState=active\nSubState=running\nNRestarts=0\n',
    ),
    'ip -j link show': ok(JSON.stringify([link('lo', true, false), link('Ethernet0', true, true), link('Ethernet4', false, false)])),
    healthz: http(200, '{"initial_sync_done":true}'),
    metrics: http(200, METRICS),
    redis: ok('PORT_TABLE|Ethernet0\nup\nup\nPORT_TABLE|Ethernet4\ndown\ndown\n'),
  };
}

function probe(cmds: Record<string, CmdFact>, raw: Record<string, unknown> = {}) {
  const args = withDefaults<HealthCheckArgs>(healthCheck.schema, raw);
  const byArgv: Record<string, CmdFact> = {};
  const act = healthCheck.act!(args, fakeContext());
  const acted = act ? [...act.before, { kind: 'cmd' as const, argv: act.argv }] : [];
  for (const q of [...healthCheck.needs(args, fakeContext()), ...acted]) {
    if (q.kind !== 'cmd') continue;
    const key = q.argv.join(' ');
    // An instance's reads run in its ASIC namespace: "asic0:healthz", …
    const ns = q.argv[0] === 'nsenter' ? `${/\/run\/netns\/(.+)$/.exec(q.argv[1]!)![1]}:` : '';
    const argv = ns ? q.argv.slice(3) : q.argv;
    const alias = ns + aliasOf(argv);
    if (cmds[alias]) byArgv[key] = cmds[alias]!;
  }
  const results = healthCheck.probe!(fakeFacts({ cmds: byArgv }), args, fakeContext());
  return new Map(results.map((r) => [r.check, r]));
}

function aliasOf(argv: string[]): string {
  const key = argv.join(' ');
  return argv.includes('before-self-test')
    ? 'metrics-before'
    : argv.includes('/healthz')
      ? 'healthz'
      : argv.includes('/metrics')
        ? 'metrics'
        : argv[0] === 'redis-cli'
          ? 'redis'
          : argv[0] === 'sh'
            ? 'flap'
            : key;
}

test('a healthy daemon passes every check, each with its measured value', () => {
  const r = probe(healthy());
  for (const [check, res] of r) assert.ok(res.ok, `${check}: ${res.value}`);
  assert.equal(r.get('unit active (READY)')!.value, 'active/running (READY sent)');
  assert.equal(r.get('STATE_DB PORT_TABLE = kernel (Ethernet*)')!.value, '2 ports equal');
  assert.equal(r.get('event latency p99')!.value, '<= 500us (100 events)');
  assert.equal(r.get('netlink receive buffer')!.value, '32.0 MB');
  assert.equal(r.get('netlink receive buffer')!.threshold, '>= 16.0 MB');
  assert.equal(r.get('RSS')!.value, '50.0 MB');
  assert.equal(r.size, 9);
});

const failing: [string, (c: Record<string, CmdFact>) => void, Record<string, unknown>, string, RegExp][] = [
  [
    'unit failed',
    (c) =>
      (c['systemctl show -p LoadState,Type,ActiveState,SubState,NRestarts -- portsyncd.service'] = ok(
        'Type=notify\nActiveState=activating\nSubState=auto-restart\nNRestarts=3\n',
      )),
    {},
    'unit active (READY)',
    /^activating\/auto-restart$/,
  ],
  [
    'restarts above the limit',
    (c) =>
      (c['systemctl show -p LoadState,Type,ActiveState,SubState,NRestarts -- portsyncd.service'] = ok(
        'Type=notify\nActiveState=active\nSubState=running\nNRestarts=2\n',
      )),
    { max_restarts: 1 },
    'restarts',
    /^2$/,
  ],
  [
    'active but not Type=notify',
    (c) =>
      (c['systemctl show -p LoadState,Type,ActiveState,SubState,NRestarts -- portsyncd.service'] = ok(
        'Type=simple\nActiveState=active\nSubState=running\nNRestarts=0\n',
      )),
    {},
    'unit active (READY)',
    /^active\/running \(Type=simple: no READY\)$/,
  ],
  ['healthz 503', (c) => (c.healthz = http(503, '{}')), {}, '/healthz 200', /^HTTP 503$/],
  [
    'nothing listening',
    (c) => (c.metrics = { rc: 7, stdout: '', stderr: 'bash: connect: Connection refused\n' }),
    {},
    '/metrics answers',
    /no HTTP answer on 127\.0\.0\.1:9464 \(exit 7: bash: connect: Connection refused\)/,
  ],
  [
    'redis lags the kernel',
    (c) => (c.redis = ok('PORT_TABLE|Ethernet0\ndown\nup\nPORT_TABLE|Ethernet4\ndown\ndown\n')),
    {},
    'STATE_DB PORT_TABLE = kernel (Ethernet*)',
    /^1 of 2 differ: Ethernet0: kernel oper up admin up, redis oper down admin up$/,
  ],
  [
    'a stale key in redis',
    (c) => (c.redis = ok('PORT_TABLE|Ethernet0\nup\nup\nPORT_TABLE|Ethernet4\ndown\ndown\nPORT_TABLE|Ethernet8\nup\nup\n')),
    {},
    'STATE_DB PORT_TABLE = kernel (Ethernet*)',
    /Ethernet8: kernel absent, redis oper up admin up/,
  ],
  ['drops', (c) => (c.metrics = http(200, METRICS.replace('drops_total 0', 'drops_total 4'))), {}, 'netlink drops since start', /^4$/],
  ['buffer below the configured minimum', (c) => void c, { min_rcvbuf_bytes: 67108864 }, 'netlink receive buffer', /^32\.0 MB$/],
  ['p99 above threshold', (c) => void c, { max_p99_us: 300 }, 'event latency p99', /^<= 500us/],
  ['rss above limit', (c) => void c, { max_rss_mb: 10 }, 'RSS', /^50\.0 MB$/],
  [
    'self-test flap fails',
    (c) => (c.flap = { rc: 1, stdout: '', stderr: 'Cannot find device "Ethernet99"' }),
    { self_test_port: 'Ethernet99' },
    'self-test: flap Ethernet99',
    /Cannot find device/,
  ],
];
for (const [name, breakIt, args, check, value] of failing) {
  test(`fails: ${name}`, () => {
    const cmds = healthy();
    breakIt(cmds);
    const r = probe(cmds, args).get(check);
    assert.ok(r, `no check ${check}`);
    assert.equal(r.ok, false);
    assert.match(r.value, value);
  });
}

test('the flap is an action of the probe phase, never a read: needs only read', () => {
  const args = withDefaults<HealthCheckArgs>(healthCheck.schema, { self_test_port: 'Ethernet0' });
  const argvs = healthCheck.needs(args, fakeContext()).map((q) => (q.kind === 'cmd' ? q.argv[0] : q.kind));
  assert.deepEqual(argvs, ['systemctl', 'timeout', 'timeout', 'ip', 'redis-cli']);
  const act = healthCheck.act!(args, fakeContext())!;
  assert.deepEqual(act.argv.slice(3), ['flap', 'Ethernet0', '0.3']);
  assert.deepEqual(
    act.before.map((q) => q.kind === 'cmd' && q.argv.includes('before-self-test')),
    [true],
  );
  assert.equal(healthCheck.act!(withDefaults<HealthCheckArgs>(healthCheck.schema, {}), fakeContext()), undefined);
  assert.equal(healthCheck.act!(args, fakeContext({ offline: true })), undefined);
});

test('with a self-test the P99 covers only the events since the metrics read before the flap', () => {
  const cmds = healthy();
  // Before the flap: 100 events, 5 of them slow (start-up). After: 2 more, both fast.
  cmds['metrics-before'] = http(200, METRICS);
  cmds.metrics = http(
    200,
    METRICS.replace(/bucket\{le="([^"]+)"\} (\d+)/g, (_, le: string, n: string) => `bucket{le="${le}"} ${Number(n) + 2}`),
  );
  cmds.flap = ok('');
  const r = probe(cmds, { self_test_port: 'Ethernet0', max_p99_us: 100 });
  assert.equal(r.get('self-test: flap Ethernet0')!.ok, true);
  const p99 = r.get('event latency p99')!;
  assert.equal(p99.value, '<= 100us (2 events of the self-test)');
  assert.equal(p99.ok, true);
});

test('histogram p99 is the bucket bound holding the 99th percentile; none without events', () => {
  const m = parseMetrics(METRICS);
  assert.deepEqual(histogramQuantile(m, 'portsyncd_event_latency_seconds', 0.99), { le: 0.0005, count: 100 });
  assert.deepEqual(histogramQuantile(m, 'portsyncd_event_latency_seconds', 0.5), { le: 0.00025, count: 100 });
  assert.equal(histogramQuantile(parseMetrics('x_bucket{le="+Inf"} 0\n'), 'x', 0.99), null);
});

test('kernel state maps like the daemon: admin from UP, oper from operstate UP/UNKNOWN', () => {
  const k = kernelPorts(
    JSON.stringify([
      link('Ethernet0', true, false),
      { ifname: 'Ethernet4', flags: ['UP'], operstate: 'UNKNOWN' },
      link('PortChannel1', true, true),
    ]),
    'Ethernet',
  );
  assert.deepEqual(
    [...k],
    [
      ['Ethernet0', { admin: 'up', oper: 'down' }],
      ['Ethernet4', { admin: 'up', oper: 'up' }],
    ],
  );
  assert.deepEqual([...redisPorts('', 'Ethernet')], []);
  assert.equal(portStateCheck('[]', '', 'Ethernet').ok, false);
  assert.equal(portStateCheck('not json', '', 'Ethernet').value, 'ip -j link gave no JSON');
});

test('an offline root reads nothing and is not probed: a failure unless the task lets it pass', () => {
  const args = withDefaults<HealthCheckArgs>(healthCheck.schema, { self_test_port: 'Ethernet0' });
  const ctx = fakeContext({ offline: true });
  assert.deepEqual(healthCheck.needs(args, ctx), []);
  assert.deepEqual(healthCheck.probe!(fakeFacts(), args, ctx), [
    { check: 'portsyncd health', ok: false, notProbed: true, value: 'not probed: offline root' },
  ]);
  const lenient = withDefaults<HealthCheckArgs>(healthCheck.schema, { not_probed: 'pass' });
  assert.deepEqual(healthCheck.probe!(fakeFacts(), lenient, ctx), [
    { check: 'portsyncd health', ok: true, notProbed: true, value: 'not probed: offline root' },
  ]);
});

test('a tool missing on the switch makes its checks not probed, never healthy', () => {
  const noRedis = { ...healthy(), redis: { rc: 127, stdout: '', stderr: 'sh: 1: redis-cli: not found' } };
  const r = probe(noRedis).get('STATE_DB PORT_TABLE = kernel (Ethernet*)')!;
  assert.deepEqual(r, {
    check: 'STATE_DB PORT_TABLE = kernel (Ethernet*)',
    ok: false,
    notProbed: true,
    value: 'not probed: redis-cli is missing on the switch',
  });
  const noBash = {
    ...healthy(),
    healthz: { rc: 127, stdout: '', stderr: "timeout: failed to run command 'bash': No such file or directory" },
  };
  const h = probe(noBash, { not_probed: 'pass' }).get('/healthz 200')!;
  assert.deepEqual(h, { check: '/healthz 200', ok: true, notProbed: true, value: 'not probed: bash is missing on the switch' });
  assert.equal(probe(healthy()).get('unit active (READY)')!.notProbed, undefined);
});

test('unit_absent: pass lets a switch without the unit pass (a play that runs before the first deploy)', () => {
  const absent = {
    ...healthy(),
    'systemctl show -p LoadState,Type,ActiveState,SubState,NRestarts -- portsyncd.service': ok(
      'LoadState=not-found\nActiveState=inactive\nSubState=dead\n',
    ),
  };
  assert.deepEqual(
    [...probe(absent, { unit_absent: 'pass' }).values()],
    [{ check: 'unit installed', ok: true, value: 'portsyncd.service not installed yet: nothing to probe' }],
  );
  assert.equal(probe(absent).get('unit active (READY)')!.ok, false, 'by default a missing unit fails');
});

test('without a self-test, a P99 over fewer events than min_events (a fresh start-up dump) is not judged', () => {
  const r = probe(healthy(), { max_p99_us: 300, min_events: 101 }).get('event latency p99')!;
  assert.equal(r.ok, true);
  assert.equal(r.value, 'not judged: 100 events < 101; set self_test_port');
});

test('each portsyncd@<asic> instance is probed in its namespace and reported apart; a failing instance fails its own checks', () => {
  // systemctl runs on the switch itself; the other reads in the instance's namespace.
  const instance = (ns: string, c: Record<string, CmdFact>) =>
    Object.fromEntries(
      Object.entries(c).map(([k, v]) => [
        k.startsWith('systemctl') ? k.replace('portsyncd.service', `portsyncd@${ns}.service`) : `${ns}:${k}`,
        v,
      ]),
    );
  const cmds = { ...healthy(), ...instance('asic0', healthy()), ...instance('asic1', healthy()) };
  cmds['systemctl show -p LoadState,Type,ActiveState,SubState,NRestarts -- portsyncd@asic1.service'] = ok(
    'Type=notify\nActiveState=failed\nSubState=failed\nNRestarts=0\n',
  );
  cmds['asic1:healthz'] = http(503, '{}');
  const r = probe(cmds, { asics: ['asic0', 'asic1'] });
  assert.equal(r.size, 27);
  for (const [check, res] of r)
    assert.equal(res.ok, !check.startsWith('portsyncd@asic1: unit') && check !== 'portsyncd@asic1: /healthz 200', `${check}: ${res.value}`);
  assert.equal(r.get('portsyncd@asic0: STATE_DB PORT_TABLE = kernel (Ethernet*)')!.value, '2 ports equal');
  assert.equal(r.get('portsyncd@asic1: unit active (READY)')!.value, 'failed/failed');
  // The self-test flaps a port of the switch's own namespace; the instances are not flapped.
  const flapped = probe({ ...cmds, flap: ok(''), 'metrics-before': http(200, METRICS) }, { asics: ['asic0'], self_test_port: 'Ethernet0' });
  assert.deepEqual(
    [...flapped.keys()].filter((c) => c.includes('self-test')),
    ['self-test: flap Ethernet0'],
  );
});

test('an instance is read through nsenter into its ASIC namespace, its unit is the template instance', () => {
  const args = withDefaults<HealthCheckArgs>(healthCheck.schema, { asics: ['asic3'] });
  const argvs = healthCheck.needs(args, fakeContext()).flatMap((q) => (q.kind === 'cmd' ? [q.argv] : []));
  const inAsic = argvs.filter((a) => a[0] === 'nsenter');
  assert.equal(inAsic.length, 4);
  for (const a of inAsic) assert.deepEqual(a.slice(0, 3), ['nsenter', '--net=/run/netns/asic3', '--']);
  assert.ok(argvs.some((a) => a.at(-1) === 'portsyncd@asic3.service' && a[0] === 'systemctl'));
});
