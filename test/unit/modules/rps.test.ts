import { test } from 'node:test';
import assert from 'node:assert/strict';
import rps from '../../../modules/rps/index.js';
import { cpuListToMask, formatCpuList, maskToCpuList, parseCpuList } from '../../../modules/_tuning/cpu-list.js';
import { applyChanges, factsFor, planWith, tuningContext, type TuningFacts } from './tuning-support.js';

const q = (nic: string, queue: string, file = 'rps_cpus') => `/sys/class/net/${nic}/queues/${queue}/${file}`;

function host(extra: TuningFacts = {}): TuningFacts {
  return {
    sysctl: { 'net.core.rps_sock_flow_entries': '0' },
    ...extra,
    host: { cpusOnline: [0, 1, 2, 3, 4, 5, 6, 7], ...extra.host },
    files: {
      [q('Ethernet0', 'rx-0')]: '00\n',
      [q('Ethernet0', 'rx-1')]: '0c\n',
      [q('Ethernet4', 'rx-0')]: '00000000,00000000\n',
      [q('eth0', 'rx-0')]: '0\n',
      [q('Ethernet0', 'rx-0', 'rps_flow_cnt')]: '0\n',
      [q('Ethernet0', 'rx-1', 'rps_flow_cnt')]: '0\n',
      [q('Ethernet4', 'rx-0', 'rps_flow_cnt')]: '0\n',
      ...extra.files,
    },
  };
}

test('cpumask helpers: kernel formats in, shortest forms out', () => {
  const rows: [string, string][] = [
    ['0', '1'],
    ['0-3', 'f'],
    ['2-3', 'c'],
    ['0-3,6', '4f'],
    ['32', '1,00000000'],
    ['0-39', 'ff,ffffffff'],
  ];
  for (const [list, mask] of rows) {
    assert.equal(cpuListToMask(parseCpuList(list)), mask, list);
    assert.equal(formatCpuList(maskToCpuList(mask)), list, mask);
  }
  assert.deepEqual(maskToCpuList('00000000,0000000f'), [0, 1, 2, 3]);
  assert.deepEqual(maskToCpuList('0'), []);
  assert.throws(() => maskToCpuList('xyz'), /not a hex cpumask/);
  assert.throws(() => parseCpuList('1-'), /not a CPU list/);
});

test('fresh host: masks per rx queue, RFS table and flow counts, then the boot script', () => {
  const a = { interfaces: 'Ethernet*', cpus: '2-3', rps_sock_flow_entries: 32768, rps_flow_cnt: 2048 };
  const r = planWith(rps, host(), a);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    [
      'net.core.rps_sock_flow_entries: 0 -> 32768',
      'RPS of Ethernet* -> CPUs 2-3',
      'create /usr/local/sbin/portsyncd-rps.sh',
      'create /etc/systemd/system/portsyncd-tuning-rps.service',
      'enable portsyncd-tuning-rps.service (restores the setting at boot)',
    ],
  );
  // Ethernet0 rx-1 already holds 0c (CPUs 2-3): only its flow count drifts.
  assert.equal(
    r.changes[1].diff,
    [
      `${q('Ethernet0', 'rx-0')}: 00 -> c`,
      `${q('Ethernet0', 'rx-0', 'rps_flow_cnt')}: 0 -> 2048`,
      `${q('Ethernet0', 'rx-1', 'rps_flow_cnt')}: 0 -> 2048`,
      `${q('Ethernet4', 'rx-0')}: 00000000,00000000 -> c`,
      `${q('Ethernet4', 'rx-0', 'rps_flow_cnt')}: 0 -> 2048`,
    ].join('\n') + '\n',
  );
  const script = r.changes[2].ops[0];
  assert.ok(script.kind === 'put');
  assert.match(script.content, /put 32768 \/proc\/sys\/net\/core\/rps_sock_flow_entries/);
  assert.match(script.content, /for queue in \/sys\/class\/net\/Ethernet\*\/queues\/rx-\*; do/);
  assert.match(script.content, /put c "\$queue\/rps_cpus"\n {2}put 2048 "\$queue\/rps_flow_cnt"/);
  assert.doesNotMatch(script.content, /irqs_of/);

  const applied = applyChanges(host(), r.changes);
  assert.deepEqual(planWith(rps, applied, a).changes, []);
  const states = rps.inspect!(factsFor(rps, r.args, applied), r.args, tuningContext());
  assert.ok(states.length === 7 && states.every((s) => s.ok), JSON.stringify(states));
});

test('without RFS args the flow files and the sysctl are left alone', () => {
  const r = planWith(rps, host(), { interfaces: 'eth0', cpus: 'all' });
  assert.equal(r.changes[0].summary, 'RPS of eth0 -> CPUs 0-7');
  assert.equal(r.changes[0].diff, `${q('eth0', 'rx-0')}: 0 -> ff\n`);
  const script = r.changes[1].ops[0];
  assert.ok(script.kind === 'put');
  assert.doesNotMatch(script.content, /rps_flow_cnt|rps_sock_flow_entries/);
  // Both queue files are read all the same (the tasks turning RPS on and off share the queries),
  // as kernel files of the gather's one read: no command of the module's own.
  const needs = rps.needs(r.args, tuningContext());
  assert.deepEqual(
    needs.filter((n) => n.kind === 'files' || n.kind === 'cmd'),
    [
      { kind: 'files', glob: '/sys/class/net/eth0/queues/rx-*/rps_cpus' },
      { kind: 'files', glob: '/sys/class/net/eth0/queues/rx-*/rps_flow_cnt' },
    ],
  );
  // An offline root has no queues to read.
  assert.ok(!rps.needs(r.args, tuningContext({ offline: true })).some((n) => n.kind === 'files'));
});

test('errors and warnings: offline CPUs, odd RFS sizes, nothing matched', () => {
  const bad = planWith(rps, host(), { interfaces: 'eth0', cpus: '6-9' });
  assert.deepEqual(
    bad.errors.map((e) => e.argPath),
    [['cpus']],
  );
  assert.match(bad.errors[0].message, /CPU list "6-9" names CPU 8-9/);
  assert.deepEqual(bad.changes, []);
  const odd = planWith(rps, host(), { interfaces: 'eth0', cpus: '1', rps_sock_flow_entries: 1000 });
  assert.match(odd.warnings[0], /rounded up by the kernel to a power of two/);
  const none = planWith(rps, host(), { interfaces: 'PortChannel*', cpus: '1' });
  assert.match(none.warnings[0], /no rx queue matches PortChannel\*/);
});

test('state absent turns RPS off live (the kernel default) and removes the boot files', () => {
  const a = { interfaces: 'Ethernet*', cpus: '2-3' };
  const installed = applyChanges(host(), planWith(rps, host(), a).changes);
  const r = planWith(rps, installed, { interfaces: 'Ethernet*', state: 'absent' });
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    [
      'RPS off for Ethernet*',
      'disable portsyncd-tuning-rps.service',
      'remove /etc/systemd/system/portsyncd-tuning-rps.service',
      'remove /usr/local/sbin/portsyncd-rps.sh',
    ],
  );
  const removed = applyChanges(installed, r.changes);
  assert.equal(removed.files![q('Ethernet0', 'rx-1')], '0\n');
  assert.deepEqual(planWith(rps, removed, { interfaces: 'Ethernet*', state: 'absent' }).changes, []);
});
