import { test } from 'node:test';
import assert from 'node:assert/strict';
import systemdUnit from '../../../modules/systemd_unit/index.js';
import type { SystemdUnitArgs } from '../../../modules/systemd_unit/schema.js';
import type { StatFact, UnitFact } from '../../../src/facts/types.js';
import type { PlanContext } from '../../../src/module.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { renderTemplate, validateArgs } from './support.js';

const UNIT = 'portsyncd.service';
const UNIT_FILE = '/etc/systemd/system/portsyncd.service';
const DROPIN = '/etc/systemd/system/portsyncd.service.d/50-limits.conf';
const hostVars = { portsyncd_limits: { nofile: 65536, nproc: 4096, memlock: 'infinity' } };
const file: StatFact = { type: 'file', mode: '0644', owner: 'root', group: 'root', size: 1 };
const analyze = { '/usr/bin/systemd-analyze': { ...file, mode: '0755' } };
const unit = (active: string, enabled = 'enabled'): UnitFact => ({
  load: 'loaded',
  active,
  sub: active === 'active' ? 'running' : 'dead',
  enabled,
});

function ctx(opts: Partial<PlanContext> = {}) {
  return fakeContext({ taskName: 'portsyncd limits', vars: hostVars, render: (n, x) => renderTemplate(n, { ...hostVars, ...x }), ...opts });
}

function plan(facts: FakeFactsData, args: SystemdUnitArgs) {
  const c = ctx();
  return { changes: systemdUnit.diff(fakeFacts(facts), args, c), errors: c.errors };
}

const dropinArgs: SystemdUnitArgs = { name: UNIT, dropin: '50-limits', template: 'portsyncd-dropin.conf.hbs' };
const dropinText = renderTemplate('portsyncd-dropin.conf.hbs', {
  ...hostVars,
  managed_by: 'portsync-deploy',
  task_name: 'portsyncd limits',
});

test('drop-in from a template: new file, diff, put, verify of the unit file, daemon-reload notified', () => {
  const r = plan({ stats: { ...analyze, [UNIT_FILE]: file }, units: { [UNIT]: unit('active') } }, dropinArgs);
  assert.deepEqual(r.errors, []);
  assert.equal(r.changes.length, 1);
  const [c] = r.changes;
  assert.match(c.diff!, /^--- \/dev\/null\n\+\+\+ b\/etc\/systemd\/system\/portsyncd\.service\.d\/50-limits\.conf\t\(new file\)\n/);
  assert.match(c.diff!, /^\+LimitMEMLOCK=infinity$/m);
  assert.deepEqual(c.ops, [
    { kind: 'put', path: DROPIN, content: dropinText, mode: '0644' },
    { kind: 'exec', argv: ['systemd-analyze', 'verify', UNIT_FILE], live: true, strictStderr: true },
  ]);
  assert.deepEqual(c.notify, ['systemd daemon-reload']);
});

test('unchanged drop-in -> no change and no reload', () => {
  const r = plan({ files: { [DROPIN]: dropinText }, stats: { ...analyze, [DROPIN]: file }, units: { [UNIT]: unit('active') } }, dropinArgs);
  assert.deepEqual(r.changes, []);
});

test('a drop-in without enabled or state never reads the unit state', () => {
  const facts = { ...fakeFacts({ stats: { ...analyze, [UNIT_FILE]: file } }), unit: (): never => assert.fail('unit state read') };
  const c = ctx();
  const changes = systemdUnit.diff(facts, dropinArgs, c);
  assert.deepEqual(c.errors, []);
  assert.equal(changes.length, 1);
});

test('verify op only where systemd-analyze exists', () => {
  const withAnalyze = plan({ stats: { ...analyze, [UNIT_FILE]: file } }, dropinArgs);
  assert.ok(withAnalyze.changes[0].ops.some((o) => o.kind === 'exec' && o.argv[0] === 'systemd-analyze'));
  const oldUsrLayout = plan({ stats: { '/bin/systemd-analyze': file, [UNIT_FILE]: file } }, dropinArgs);
  assert.ok(oldUsrLayout.changes[0].ops.some((o) => o.kind === 'exec' && o.argv[0] === 'systemd-analyze'));
  const without = plan({ stats: { [UNIT_FILE]: file } }, dropinArgs);
  assert.deepEqual(
    without.changes[0].ops.map((o) => o.kind),
    ['put'],
  );
});

test('drop-in verify uses the unit file wherever it is installed; no unit file -> nothing to verify', () => {
  const packaged = plan({ stats: { ...analyze, '/lib/systemd/system/portsyncd.service': file } }, dropinArgs);
  assert.deepEqual(packaged.changes[0].ops[1], {
    kind: 'exec',
    argv: ['systemd-analyze', 'verify', '/lib/systemd/system/portsyncd.service'],
    live: true,
    strictStderr: true,
  });
  assert.deepEqual(
    plan({ stats: analyze }, dropinArgs).changes[0].ops.map((o) => o.kind),
    ['put'],
  );
});

test('unit file from sections: ini with repeated keys, verified at its own path', () => {
  const r = plan(
    { stats: analyze },
    {
      name: UNIT,
      sections: {
        Unit: { Description: 'SONiC port state sync' },
        Service: { ExecStart: '/usr/bin/portsyncd', Environment: ['RUST_LOG=info', 'REDIS=127.0.0.1:6379'], CPUAffinity: 0 },
        Install: { WantedBy: 'multi-user.target' },
      },
    },
  );
  assert.deepEqual(r.errors, []);
  const put = r.changes[0].ops[0];
  assert.ok(put.kind === 'put');
  assert.equal(put.path, UNIT_FILE);
  assert.match(put.content, /^# Managed by portsync-deploy \(task: portsyncd limits\)/);
  assert.match(
    put.content,
    /\[Service\]\nExecStart=\/usr\/bin\/portsyncd\nEnvironment=RUST_LOG=info\nEnvironment=REDIS=127\.0\.0\.1:6379\nCPUAffinity=0\n/,
  );
  assert.deepEqual(r.changes[0].ops[1], { kind: 'exec', argv: ['systemd-analyze', 'verify', UNIT_FILE], live: true, strictStderr: true });
});

test('unknown directive in sections: plan error at the directive with a suggestion', () => {
  const r = plan({}, { name: UNIT, dropin: 'restart', sections: { Service: { Restrat: 'always', RestartSec: 1 } } });
  assert.deepEqual(r.errors, [
    {
      message: 'unknown directive Restrat= in [Service]; systemd would ignore it',
      argPath: ['sections', 'Service', 'Restrat'],
      hint: 'did you mean Restart=?',
    },
  ]);
});

test('unknown directive in a rendered template: plan error at template naming the rendered line', () => {
  const c = ctx({ render: () => '[Service]\nLimitNOFILE=1\nLimitNOFLIE=2\n' });
  systemdUnit.diff(fakeFacts({}), { name: UNIT, dropin: 'x', template: 'x.hbs' }, c);
  assert.equal(c.errors.length, 1);
  assert.equal(c.errors[0].message, 'x.hbs (rendered line 3): unknown directive LimitNOFLIE= in [Service]; systemd would ignore it');
  assert.deepEqual(c.errors[0].argPath, ['template']);
  assert.equal(c.errors[0].hint, 'did you mean LimitNOFILE=?');
});

const states: [string, SystemdUnitArgs['state'], UnitFact, string[][]][] = [
  ['started when inactive -> start', 'started', unit('inactive'), [['systemctl', 'start', UNIT]]],
  ['started when active -> nothing', 'started', unit('active'), []],
  ['started when activating -> nothing', 'started', unit('activating'), []],
  ['stopped when active -> stop', 'stopped', unit('active'), [['systemctl', 'stop', UNIT]]],
  ['stopped when failed -> nothing', 'stopped', unit('failed'), []],
  ['restarted always restarts', 'restarted', unit('active'), [['systemctl', 'restart', UNIT]]],
  ['reloaded when active -> reload', 'reloaded', unit('active'), [['systemctl', 'reload', UNIT]]],
  ['reloaded when inactive -> start', 'reloaded', unit('inactive'), [['systemctl', 'start', UNIT]]],
];
for (const [name, state, fact, argvs] of states) {
  test(`state: ${name}`, () => {
    const r = plan({ units: { [UNIT]: fact } }, { name: UNIT, state });
    const ops = r.changes.flatMap((c) => c.ops);
    assert.deepEqual(
      ops.map((o) => (o.kind === 'exec' ? o.argv : [])),
      argvs,
    );
    assert.ok(ops.every((o) => o.kind === 'exec' && o.live === true));
  });
}

test('state change diff shows before -> after', () => {
  const r = plan({ units: { [UNIT]: unit('inactive') } }, { name: UNIT, state: 'started' });
  assert.equal(r.changes[0].diff, `${UNIT} state: inactive -> active\n`);
});

test('enabled: idempotent from the unit file state; static units are left alone', () => {
  const run = (want: boolean, enabled: string) =>
    plan({ units: { [UNIT]: unit('active', enabled) } }, { name: UNIT, enabled: want }).changes;
  assert.deepEqual(run(true, 'enabled'), []);
  assert.deepEqual(run(false, 'disabled'), []);
  assert.deepEqual(run(true, 'static'), []);
  assert.deepEqual(run(true, 'disabled')[0].ops, [
    {
      kind: 'exec',
      argv: ['systemctl', '--no-reload', 'enable', UNIT],
      live: true,
      // The reload it skips is owed: the apply script runs it once (test/unit/exec/shared-reload.test.ts).
      reload: { argv: ['systemctl', 'daemon-reload'], role: 'owes' },
      effects: [{ kind: 'unit', name: UNIT, enabled: 'enabled' }],
    },
  ]);
  assert.deepEqual(run(false, 'enabled')[0].ops, [
    {
      kind: 'exec',
      argv: ['systemctl', '--no-reload', 'disable', UNIT],
      live: true,
      reload: { argv: ['systemctl', 'daemon-reload'], role: 'owes' },
      effects: [{ kind: 'unit', name: UNIT, enabled: 'disabled' }],
    },
  ]);
});

test('a rewritten unit is reloaded before it is started in the same task', () => {
  const r = plan(
    { stats: {}, units: { [UNIT]: { load: 'not-found', active: 'inactive', sub: 'dead', enabled: '' } } },
    {
      name: UNIT,
      sections: { Service: { ExecStart: '/usr/bin/portsyncd' } },
      enabled: true,
      state: 'started',
    },
  );
  assert.deepEqual(
    r.changes.map((c) => c.ops.map((o) => (o.kind === 'exec' ? o.argv.join(' ') : `${o.kind} ${'path' in o ? o.path : ''}`))),
    [[`put ${UNIT_FILE}`], [`systemctl --no-reload enable ${UNIT}`], ['systemctl daemon-reload', `systemctl start ${UNIT}`]],
  );
});

test('module handler: daemon-reload as a live exec', () => {
  assert.deepEqual(systemdUnit.handlers!.find((h) => h.key === 'systemd daemon-reload')!.ops, [
    { kind: 'exec', argv: ['systemctl', 'daemon-reload'], live: true, reload: { argv: ['systemctl', 'daemon-reload'], role: 'is' } },
  ]);
});

test('needs: unit state only with enabled or state; file, stats and systemd-analyze only when content is managed', () => {
  assert.deepEqual(systemdUnit.needs({ name: UNIT, state: 'started' }, ctx()), [{ kind: 'unit', name: UNIT }]);
  assert.deepEqual(systemdUnit.needs({ name: UNIT, enabled: false }, ctx()), [{ kind: 'unit', name: UNIT }]);
  assert.equal(systemdUnit.needs({ ...dropinArgs, enabled: true }, ctx())[0]?.kind, 'unit');
  const q = systemdUnit.needs(dropinArgs, ctx());
  assert.ok(!q.some((f) => f.kind === 'unit'));
  assert.deepEqual(q.slice(0, 4), [
    { kind: 'file', path: DROPIN },
    { kind: 'stat', path: DROPIN },
    { kind: 'stat', path: '/usr/bin/systemd-analyze', hash: false },
    { kind: 'stat', path: '/bin/systemd-analyze', hash: false },
  ]);
  // Where the unit's own file is: no hash of it.
  assert.ok(q.some((f) => f.kind === 'stat' && f.path === '/lib/systemd/system/portsyncd.service' && f.hash === false));
});

test('schema: content sources, names and values', () => {
  assert.ok(
    validateArgs(systemdUnit.schema, {
      name: 'portsyncd.service',
      dropin: '50-limits',
      sections: { Service: { Nice: -10, Environment: ['A=1'] } },
    }).ok,
  );
  assert.ok(validateArgs(systemdUnit.schema, { name: 'getty@tty1.service', enabled: false }).ok);
  for (const bad of [
    { name: 'portsyncd' },
    { name: '../x.service' },
    { name: UNIT, dropin: 'x' },
    { name: UNIT, dropin: '../x', sections: {} },
    { name: UNIT, template: 'a.hbs', sections: {} },
    { name: UNIT, vars: { a: 1 } },
    { name: UNIT, sections: { Service: { ExecStart: '/bin/true\nExecStartPre=/bin/evil' } } },
    { name: UNIT, state: 'running' },
  ]) {
    assert.equal(validateArgs(systemdUnit.schema, bad).ok, false, JSON.stringify(bad));
  }
});
