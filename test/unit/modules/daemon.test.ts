import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import daemon from '../../../modules/daemon/index.js';
import { releasesToPrune } from '../../../modules/daemon/release.js';
import type { DaemonArgs } from '../../../modules/daemon/schema.js';
import type { Change } from '../../../src/module.js';
import type { StatFact } from '../../../src/facts/types.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { renderTemplate, withDefaults } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'daemon-module-'));
const artifact = join(dir, 'portsyncd-test.tar.gz');
writeFileSync(artifact, 'not really a tarball');
const sha = createHash('sha256').update('not really a tarball').digest('hex');
const id = sha.slice(0, 12);
test.after(() => rmSync(dir, { recursive: true, force: true }));

const UNIT = '/etc/systemd/system/portsyncd.service';
const CONFIG = '/etc/portsyncd/portsyncd.yaml';
const WANTS = '/etc/systemd/system/multi-user.target.wants/portsyncd.service';
const RELEASES = '/opt/portsyncd/releases';
const link = (target: string): StatFact => ({ type: 'link', mode: '0777', owner: 'root', group: 'root', size: 0, target });
const file = (mode = '0644'): StatFact => ({ type: 'file', mode, owner: 'root', group: 'root', size: 1 });
const active = { load: 'loaded', active: 'active', sub: 'running', enabled: 'enabled' };

const UNAME = 'uname -m';
/** A live switch's architecture, from the host section. */
const machine = (m: string): FakeFactsData => ({ host: { machine: m } });

/** An x86_64 switch unless data says otherwise. */
function plan(data: FakeFactsData, raw: Record<string, unknown> = {}) {
  const args = withDefaults<DaemonArgs>(daemon.schema, { artifact, config: { http: { port: 9464 } }, ...raw });
  const ctx = fakeContext({ taskName: 'Deploy portsyncd', render: renderTemplate });
  const changes = daemon.diff(fakeFacts(data), args, ctx);
  return { changes, errors: ctx.errors, args, ctx };
}

/** A host where this artifact is installed, running and configured as `plan` wants it. */
function converged(raw: Record<string, unknown> = {}): FakeFactsData {
  const files: Record<string, string> = {};
  for (const c of plan({}, raw).changes) for (const op of c.ops) if (op.kind === 'put') files[op.path] = op.content;
  return {
    files: { ...files, [`/opt/portsyncd/releases/${id}/.sha256`]: `${sha}\n` },
    stats: { '/opt/portsyncd/current': link(`releases/${id}`), [WANTS]: link(UNIT), [UNIT]: file(), [CONFIG]: file('0600') },
    entries: { [RELEASES]: [id] },
    units: { 'portsyncd.service': active },
  };
}

const summaries = (cs: Change[]) => cs.map((c) => c.summary);

test('a cold host gets the upload, config, unit, enable link and current switch, restarting once', () => {
  const { changes, errors } = plan({});
  assert.deepEqual(errors, []);
  assert.deepEqual(summaries(changes), [
    `install release ${id} in /opt/portsyncd/releases/${id} (upload 0.0 MB)`,
    `create ${CONFIG}`,
    `create ${UNIT}`,
    'enable portsyncd.service',
    `switch /opt/portsyncd/current: (none) -> releases/${id}`,
  ]);
  const [upload] = changes;
  assert.deepEqual(upload!.ops[0], {
    kind: 'upload',
    path: `/opt/portsyncd/releases/.portsyncd-${id}.tar.gz`,
    localPath: artifact,
    sha256: sha,
    mode: '0600',
  });
  assert.equal(upload!.ops[1]!.kind, 'exec');
  const sw = changes.at(-1)!;
  assert.deepEqual(sw.ops, [{ kind: 'symlink', path: '/opt/portsyncd/current', target: `releases/${id}` }]);
  assert.deepEqual(changes[2]!.notify, ['systemd daemon-reload', 'portsyncd restart']);
});

test('the unit is Type=notify with watchdog, restart on failure and ExecStart under current', () => {
  const { changes } = plan({}, { unit: { watchdog_sec: 12 } });
  const put = changes.find((c) => c.summary === `create ${UNIT}`)!.ops[0]!;
  assert.ok(put.kind === 'put');
  for (const line of [
    'Type=notify',
    'WatchdogSec=12',
    'Restart=on-failure',
    'Environment=PORTSYNCD_NODE=/opt/portsyncd/current/bin/node PORTSYNCD_ENTRY=/opt/portsyncd/current/lib/portsyncd.mjs',
    'ExecStart=/opt/portsyncd/current/bin/portsyncd --config /etc/portsyncd/portsyncd.yaml',
  ]) {
    assert.ok(put.content.split('\n').includes(line), `${line} in\n${put.content}`);
  }
});

test('the config map is written as YAML', () => {
  const { changes } = plan({}, { config: { http: { port: 9000 }, log_level: 'debug' } });
  const put = changes.find((c) => c.summary === `create ${CONFIG}`)!.ops[0]!;
  assert.ok(put.kind === 'put');
  assert.match(put.content, /^http:\n {2}port: 9000\nlog_level: debug\n$/m);
});

test('the config, which may carry the Redis password, is written 0600 root:root, and a readable one is tightened', () => {
  const put = plan({}, { config: { redis: { password: 'pw' } } }).changes.find((c) => c.summary === `create ${CONFIG}`)!.ops[0]!;
  assert.ok(put.kind === 'put');
  assert.deepEqual([put.mode, put.owner, put.group], ['0600', 'root', 'root']);
  const data = converged();
  data.stats = { ...data.stats, [CONFIG]: file('0644') };
  assert.deepEqual(summaries(plan(data).changes), [`${CONFIG}; mode: 0644 -> 0600`]);
});

test('a converged host plans nothing: no upload, no restart', () => {
  assert.deepEqual(summaries(plan(converged()).changes), []);
});

test('a config change alone restarts the daemon but uploads nothing', () => {
  const { changes } = plan(converged(), { config: { http: { port: 9999 } } });
  assert.deepEqual(summaries(changes), [`update ${CONFIG}`]);
  assert.deepEqual(changes[0]!.notify, ['portsyncd restart']);
});

test('a new artifact with the old one installed: upload and switch, the old release is kept', () => {
  const data = converged();
  data.files = { ...data.files, [`/opt/portsyncd/releases/${id}/.sha256`]: 'other\n' };
  data.stats = { ...data.stats, '/opt/portsyncd/current': link('releases/0123456789ab') };
  data.entries = { [RELEASES]: ['0123456789ab'] };
  const { changes } = plan(data);
  assert.deepEqual(summaries(changes), [
    `install release ${id} in /opt/portsyncd/releases/${id} (upload 0.0 MB)`,
    `switch /opt/portsyncd/current: releases/0123456789ab -> releases/${id}`,
  ]);
});

test('a stopped daemon with nothing else to do is started through the restart handler', () => {
  const data = converged();
  data.units = { 'portsyncd.service': { ...active, active: 'failed', sub: 'failed' } };
  const { changes } = plan(data);
  assert.deepEqual(summaries(changes), ['start portsyncd.service (now failed)']);
  assert.deepEqual(changes[0]!.notify, ['portsyncd restart']);
});

test('tuning: a map writes the drop-in, {} removes it, null leaves it alone', () => {
  const dropin = '/etc/systemd/system/portsyncd.service.d/45-daemon-tuning.conf';
  const put = plan(converged(), { tuning: { Nice: -5, CPUAffinity: '1' } }).changes;
  assert.deepEqual(summaries(put), [`create ${dropin}`]);
  const op = put[0]!.ops[0]!;
  assert.ok(op.kind === 'put' && op.content.endsWith('[Service]\nNice=-5\nCPUAffinity=1\n'));
  const present = converged();
  present.files = { ...present.files, [dropin]: 'old' };
  assert.deepEqual(summaries(plan(present, { tuning: {} }).changes), [`remove ${dropin}`]);
  assert.deepEqual(summaries(plan(present).changes), []);
});

test('an unreadable artifact is a plan error naming the arg', () => {
  const { changes, errors } = plan({}, { artifact: join(dir, 'missing.tar.gz') });
  assert.deepEqual(changes, []);
  assert.match(errors[0]!.message, /cannot read the portsyncd artifact .*missing\.tar\.gz: no such file$/);
  assert.deepEqual(errors[0]!.argPath, ['artifact']);
});

for (const [name, listed, wanted, running, keep, gone] of [
  ['nothing beyond keep', ['c', 'b', 'a'], 'c', 'b', 3, []],
  ['oldest go first', ['e', 'd', 'c', 'b', 'a'], 'e', 'd', 3, ['b', 'a']],
  ['the running release stays even when oldest', ['e', 'd', 'c', 'b', 'a'], 'e', 'a', 2, ['d', 'c', 'b']],
  ['the wanted release counts though not listed yet', ['d', 'c', 'b'], 'e', 'd', 2, ['c', 'b']],
  ['names that are not releases are ignored', ['.unpack-x', 'b', 'a'], 'b', 'a', 2, []],
] as const) {
  test(`prune: ${name}`, () => {
    assert.deepEqual(releasesToPrune([...listed], wanted, running, keep), gone);
  });
}

test('an aarch64 switch gets the arm64 artifact; an unknown architecture or a missing arm64 artifact is a plan error', () => {
  const arm = join(dir, 'portsyncd-arm64-test.tar.gz');
  writeFileSync(arm, 'an arm64 tarball');
  const armId = createHash('sha256').update('an arm64 tarball').digest('hex').slice(0, 12);
  const onArm = plan(machine('aarch64'), { artifact_arm64: arm });
  assert.deepEqual(onArm.errors, []);
  const upload = onArm.changes.find((c) => c.summary.startsWith('install release'))!;
  assert.equal(upload.ops[0]!.kind === 'upload' && upload.ops[0]!.localPath, arm);
  assert.ok(upload.summary.includes(armId));
  const onX86 = plan({}, { artifact_arm64: arm });
  assert.ok(onX86.changes.find((c) => c.summary.startsWith('install release'))!.summary.includes(id), 'x86_64 keeps the x64 artifact');

  const offline = fakeContext({ taskName: 'Deploy portsyncd', render: renderTemplate, offline: true });
  const noUname = { rc: 127, stdout: '', stderr: 'chroot: failed to run command uname' };
  const image = daemon.diff(
    fakeFacts({ cmds: { [UNAME]: noUname } }),
    withDefaults<DaemonArgs>(daemon.schema, { artifact, config: {} }),
    offline,
  );
  assert.deepEqual(offline.errors, [], 'an offline root without uname gets the x86_64 artifact');
  assert.ok(image.some((c) => c.summary.includes(id)));
  // An offline root with a uname: its answer, as on a live switch.
  const armImage = fakeContext({ taskName: 'Deploy portsyncd', render: renderTemplate, offline: true });
  const armChanges = daemon.diff(
    fakeFacts({ cmds: { [UNAME]: { rc: 0, stdout: 'aarch64\n', stderr: '' } } }),
    withDefaults<DaemonArgs>(daemon.schema, { artifact, artifact_arm64: arm, config: {} }),
    armImage,
  );
  assert.deepEqual(armImage.errors, []);
  assert.ok(
    armChanges.some((c) => c.summary.includes(armId)),
    'an aarch64 image gets the arm64 artifact',
  );
  assert.match(plan(machine('')).errors[0]!.message, /uname -m failed/, 'a live switch must answer');
  const odd = plan(machine('riscv64'));
  assert.match(odd.errors[0]!.message, /no portsyncd artifact for this switch's architecture \(riscv64\)/);
  const missing = plan(machine('aarch64'), { artifact_arm64: join(dir, 'nope.tar.gz') });
  assert.match(missing.errors[0]!.message, /cannot read the portsyncd arm64 artifact .*nope\.tar\.gz: no such file$/);
  assert.deepEqual(missing.errors[0]!.argPath, ['artifact_arm64']);
  assert.deepEqual(missing.changes, []);
});

const GLOBAL = '/var/run/redis/sonic-db/database_global.json';
const globalJson = JSON.stringify({
  INCLUDES: [
    { include: '../../redis/sonic-db/database_config.json' },
    { namespace: 'asic0', include: '../../redis0/sonic-db/database_config.json' },
    { namespace: 'asic1', include: '../../redis1/sonic-db/database_config.json' },
  ],
});

test("multi-ASIC: a template unit in the ASIC's network namespace, a config naming each namespace, one enabled instance each", () => {
  const { changes, errors } = plan({ files: { [GLOBAL]: globalJson } }, { asics: ['asic0', 'asic1'] });
  assert.deepEqual(errors, []);
  const unit = changes.find((c) => c.summary === 'create /etc/systemd/system/portsyncd@.service')!;
  const put = unit.ops[0]!;
  assert.ok(put.kind === 'put');
  for (const line of [
    'NetworkNamespacePath=/run/netns/%i',
    'ExecStart=/opt/portsyncd/current/bin/portsyncd --config /etc/portsyncd/portsyncd-%i.yaml',
    'Type=notify',
  ]) {
    assert.ok(put.content.split('\n').includes(line), `${line} in\n${put.content}`);
  }
  assert.deepEqual(unit.notify, ['systemd daemon-reload', 'portsyncd restart']);
  const config = changes.find((c) => c.summary === 'create /etc/portsyncd/portsyncd-asic1.yaml')!.ops[0]!;
  assert.ok(config.kind === 'put');
  assert.match(config.content, /^sonic_namespace: asic1$/m);
  assert.match(config.content, /^state_file: \/var\/lib\/portsyncd\/state-asic1\.json$/m);
  assert.equal(config.mode, '0600', 'it may carry the Redis password');
  const enable = changes.find((c) => c.summary === 'enable portsyncd@asic0.service')!;
  assert.deepEqual(enable.ops, [
    {
      kind: 'symlink',
      path: '/etc/systemd/system/multi-user.target.wants/portsyncd@asic0.service',
      target: '/etc/systemd/system/portsyncd@.service',
    },
  ]);
});

test("multi-ASIC: a namespace the switch's database_global.json lacks, or no such file, is a plan error on asics", () => {
  const wrong = plan({ files: { [GLOBAL]: globalJson } }, { asics: ['asic0', 'asic5'] });
  assert.match(wrong.errors[0]!.message, /asics: asic5 not in the switch's database_global\.json \(it lists asic0, asic1\)/);
  assert.deepEqual(wrong.errors[0]!.argPath, ['asics']);
  const single = plan({}, { asics: ['asic0'] });
  assert.match(single.errors[0]!.message, /database_global\.json is missing: the switch is not multi-ASIC/);
});

test("the architecture: a live switch's from the host section, no uname asked; an offline root's from its own uname", () => {
  const args = withDefaults<DaemonArgs>(daemon.schema, { artifact, config: {} });
  const live = daemon.needs(args, fakeContext({ render: renderTemplate }));
  assert.ok(live.some((q) => q.kind === 'host'));
  assert.ok(!live.some((q) => q.kind === 'cmd' && q.argv.join(' ') === UNAME));
  const offline = daemon.needs(args, fakeContext({ render: renderTemplate, offline: true }));
  assert.ok(offline.some((q) => q.kind === 'cmd' && q.argv.join(' ') === UNAME));
});
