import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import irqAffinity from '../../../modules/irq_affinity/index.js';
import { irqFacts, irqFactsQuery } from '../../../modules/_tuning/irqs.js';
import { fakeFacts } from '../../helpers/fake-facts.js';
import { validateArgs } from './support.js';
import { applyChanges, factsFor, planWith, tuningContext, type TuningFacts } from './tuning-support.js';

const SCRIPT = '/usr/local/sbin/portsyncd-irq-affinity.sh';
const UNIT = '/etc/systemd/system/portsyncd-tuning-irq.service';
const WANTS = '/etc/systemd/system/multi-user.target.wants/portsyncd-tuning-irq.service';

function host(extra: TuningFacts = {}): TuningFacts {
  return {
    nics: [
      { name: 'Ethernet0', irqs: [120, 121] },
      { name: 'Ethernet4', irqs: [122] },
      { name: 'eth0', irqs: [130] },
    ],
    ...extra,
    host: { cpusOnline: [0, 1, 2, 3], ...extra.host },
    files: {
      '/proc/irq/120/smp_affinity_list': '0-3\n',
      '/proc/irq/121/smp_affinity_list': '2,3\n',
      '/proc/irq/122/smp_affinity_list': '0-3\n',
      '/proc/irq/130/smp_affinity_list': '0-3\n',
      ...extra.files,
    },
  };
}

const pin = { interfaces: 'Ethernet*', cpus: '2-3' };

test('fresh host: pins only drifted IRQs live, installs script, unit and its enablement', () => {
  const r = planWith(irqAffinity, host(), pin);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    [
      'IRQ affinity of 120 (Ethernet0), 122 (Ethernet4) -> CPUs 2-3',
      `create ${SCRIPT}`,
      `create ${UNIT}`,
      'enable portsyncd-tuning-irq.service (restores the setting at boot)',
    ],
  );
  const [live, script, unit, enable] = r.changes;
  assert.equal(live.diff, '/proc/irq/120/smp_affinity_list: 0-3 -> 2-3\n/proc/irq/122/smp_affinity_list: 0-3 -> 2-3\n');
  assert.deepEqual(live.ops, [
    {
      kind: 'exec',
      argv: [
        'sh',
        '-c',
        "set -e; printf '%s\\n' 2-3 > /proc/irq/120/smp_affinity_list; printf '%s\\n' 2-3 > /proc/irq/122/smp_affinity_list",
      ],
      live: true,
      strictStderr: true,
      effects: [
        { kind: 'sysfs', path: '/proc/irq/120/smp_affinity_list', value: '2-3' },
        { kind: 'sysfs', path: '/proc/irq/122/smp_affinity_list', value: '2-3' },
      ],
    },
  ]);
  const put = script.ops[0];
  assert.ok(put.kind === 'put' && put.mode === '0755');
  assert.match(put.content, /^#!\/bin\/sh\n/);
  assert.match(put.content, /for nic in \/sys\/class\/net\/Ethernet\*; do/);
  assert.match(put.content, /put 2-3 "\/proc\/irq\/\$irq\/smp_affinity_list"/);
  assert.match(script.diff ?? '', /^\+\+\+ b\/usr\/local\/sbin\/portsyncd-irq-affinity.sh/m);
  const unitPut = unit.ops[0];
  assert.ok(unitPut.kind === 'put');
  assert.match(unitPut.content, /Type=oneshot/);
  assert.match(unitPut.content, /ExecStart=\/usr\/local\/sbin\/portsyncd-irq-affinity.sh/);
  assert.match(unitPut.content, /WantedBy=multi-user.target/);
  assert.deepEqual(unit.notify, ['systemd daemon-reload']);
  assert.deepEqual(enable.ops, [{ kind: 'symlink', path: WANTS, target: UNIT }]);
});

test('after apply the plan is empty and verify is clean; a hand change shows on that IRQ only', () => {
  const before = host();
  const applied = applyChanges(before, planWith(irqAffinity, before, pin).changes);
  assert.deepEqual(planWith(irqAffinity, applied, pin).changes, []);
  const r = planWith(irqAffinity, applied, pin);
  const states = irqAffinity.inspect!(factsFor(irqAffinity, r.args, applied), r.args, tuningContext());
  assert.deepEqual(
    states.map((s) => [s.setting, s.live, s.persisted, s.ok]),
    [
      ['/proc/irq/120/smp_affinity_list (Ethernet0)', '2-3', '2-3', true],
      ['/proc/irq/121/smp_affinity_list (Ethernet0)', '2,3', '2-3', true],
      ['/proc/irq/122/smp_affinity_list (Ethernet4)', '2-3', '2-3', true],
    ],
  );
  const drifted = { ...applied, files: { ...applied.files, '/proc/irq/122/smp_affinity_list': '0\n' } };
  const bad = irqAffinity.inspect!(factsFor(irqAffinity, r.args, drifted), r.args, tuningContext()).filter((s) => !s.ok);
  assert.deepEqual(
    bad.map((s) => s.setting),
    ['/proc/irq/122/smp_affinity_list (Ethernet4)'],
  );
  const unenabled = { ...applied, stats: { ...applied.stats } };
  delete unenabled.stats![WANTS];
  assert.ok(
    irqAffinity.inspect!(factsFor(irqAffinity, r.args, unenabled), r.args, tuningContext()).every(
      (s) => s.persisted === 'portsyncd-tuning-irq.service not enabled',
    ),
  );
});

test('table: CPU lists checked against the online CPUs at plan time', () => {
  const rows: [string, string | null][] = [
    ['0-3', null],
    ['all', null],
    ['3,0', null],
    ['2-5', 'CPU list "2-5" names CPU 4-5, which is not online (online: 0-3)'],
    ['8', 'CPU list "8" names CPU 8, which is not online (online: 0-3)'],
    ['3-1', 'reversed range "3-1" in CPU list "3-1"'],
  ];
  for (const [cpus, error] of rows) {
    const r = planWith(irqAffinity, host(), { interfaces: 'eth0', cpus });
    if (error === null) assert.deepEqual(r.errors, [], cpus);
    else {
      assert.deepEqual(
        r.errors.map((e) => [e.message, e.argPath]),
        [[error, ['cpus']]],
        cpus,
      );
      assert.deepEqual(r.changes, []);
    }
  }
});

test('warns when irqbalance runs, and when no IRQ matches', () => {
  const r = planWith(irqAffinity, host({ irqbalanceActive: true }), { interfaces: ['Ethernet0', 'nope*'], cpus: '1' });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /irqbalance is running .* will move these IRQs again/);
  const none = planWith(irqAffinity, host(), { interfaces: 'PortChannel*', cpus: '1' });
  assert.match(none.warnings[0], /no IRQ in \/proc\/interrupts belongs to PortChannel\*/);
  assert.equal(none.changes.length, 3); // script, unit, enable
});

test('offline root: persistence only, no live write and no CPU-list check against unknown CPUs', () => {
  const r = planWith(irqAffinity, { host: { cpusOnline: [] } }, { interfaces: 'Ethernet*', cpus: '0-63' }, { offline: true });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.ok(r.changes.every((c) => c.ops.every((o) => o.kind !== 'exec')));
  assert.equal(r.changes.length, 3);
});

test('state absent removes enablement, unit and script, then is converged', () => {
  const installed = applyChanges(host(), planWith(irqAffinity, host(), pin).changes);
  const r = planWith(irqAffinity, installed, { interfaces: 'Ethernet*', state: 'absent' });
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    ['disable portsyncd-tuning-irq.service', `remove ${UNIT}`, `remove ${SCRIPT}`],
  );
  const removed = applyChanges(installed, r.changes);
  assert.deepEqual(planWith(irqAffinity, removed, { interfaces: 'Ethernet*', state: 'absent' }).changes, []);
});

test('schema: globs only from a safe alphabet; cpus required unless absent', () => {
  assert.equal(validateArgs(irqAffinity.schema, { interfaces: 'eth0; reboot', cpus: '0' }).ok, false);
  assert.equal(validateArgs(irqAffinity.schema, { interfaces: 'eth0' }).ok, false);
  assert.equal(validateArgs(irqAffinity.schema, { interfaces: 'eth0', cpus: '0-1 ' }).ok, true);
  assert.equal(validateArgs(irqAffinity.schema, { interfaces: 'eth0', cpus: 'zero' }).ok, false);
  assert.equal(validateArgs(irqAffinity.schema, { interfaces: 'eth0', state: 'absent' }).ok, true);
});

test('needs: NICs, IRQs and affinities in one query on a live host, none offline; and the persisted files', () => {
  const needs = irqAffinity.needs({ interfaces: 'eth0', cpus: '0', state: 'present' }, tuningContext());
  assert.deepEqual(
    needs.filter((q) => q.kind === 'cmd'),
    [irqFactsQuery()],
  );
  assert.ok(needs.some((q) => q.kind === 'stat' && q.path === WANTS));
  const offline = irqAffinity.needs({ interfaces: 'eth0', cpus: '0', state: 'present' }, tuningContext({ offline: true }));
  assert.deepEqual(
    offline.filter((q) => q.kind === 'cmd'),
    [],
  );
});

test('the IRQ query, run for real on this machine, reads NICs, IRQs and what the affinity files hold', () => {
  const q = irqFactsQuery();
  const run = spawnSync(q.argv[0]!, q.argv.slice(1), { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const irq = irqFacts(fakeFacts({ cmds: { [q.argv.join(' ')]: { rc: 0, stdout: run.stdout, stderr: run.stderr } } }));
  assert.deepEqual(
    irq.nics.map((n) => n.name),
    readdirSync('/sys/class/net').sort(),
  );
  const irqs = readdirSync('/proc/irq').filter((n) => /^\d+$/.test(n));
  assert.ok(irqs.length > 0);
  for (const n of irqs) {
    const path = `/proc/irq/${n}/smp_affinity_list`;
    assert.equal(irq.affinity[path], readFileSync(path, 'utf8').trim(), path);
  }
});
