import { test } from 'node:test';
import assert from 'node:assert/strict';
import thp from '../../../modules/thp/index.js';
import { LEGACY_TMPFILES, bracketed } from '../../../modules/thp/diff.js';
import { fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { validateArgs } from './support.js';
import { applyChanges, planWith, tuningContext } from './tuning-support.js';

const ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';
const DEFRAG = '/sys/kernel/mm/transparent_hugepage/defrag';
const SCRIPT = '/usr/local/sbin/portsyncd-thp.sh';
const UNIT = '/etc/systemd/system/portsyncd-tuning-thp.service';
const WANTS = '/etc/systemd/system/sysinit.target.wants/portsyncd-tuning-thp.service';
const BOOT = [`create ${SCRIPT}`, `create ${UNIT}`, 'enable portsyncd-tuning-thp.service (restores the setting at boot)'];

const host = (): FakeFactsData => ({
  files: { [ENABLED]: 'always [madvise] never\n', [DEFRAG]: 'always defer defer+madvise [madvise] never\n' },
});

test('bracketed value is the current one', () => {
  assert.equal(bracketed('always [madvise] never\n'), 'madvise');
  assert.equal(bracketed('[always] madvise never'), 'always');
  assert.equal(bracketed(null), null);
});

test('table: live changes only for drifted knobs, boot script and unit always installed', () => {
  const rows: [Record<string, string>, string[]][] = [
    [{ enabled: 'never', defrag: 'never' }, ['THP enabled: madvise -> never', 'THP defrag: madvise -> never', ...BOOT]],
    [{ enabled: 'madvise' }, BOOT],
    [{ defrag: 'always' }, ['THP defrag: madvise -> always', ...BOOT]],
  ];
  for (const [args, summaries] of rows) {
    const r = planWith(thp, host(), args);
    assert.deepEqual(
      r.changes.map((c) => c.summary),
      summaries,
      JSON.stringify(args),
    );
  }
  const r = planWith(thp, host(), { enabled: 'never', defrag: 'never' });
  assert.equal(r.changes[0].diff, `${ENABLED}: madvise -> never\n`);
  assert.deepEqual(r.changes[0].ops, [
    {
      kind: 'exec',
      argv: ['sh', '-c', `set -e; printf '%s\\n' never > ${ENABLED}`],
      live: true,
      strictStderr: true,
      effects: [{ kind: 'sysfs', path: ENABLED, value: 'always madvise [never]' }],
    },
  ]);
  const script = r.changes[2].ops[0];
  assert.ok(script.kind === 'put');
  assert.equal(script.mode, '0755');
  // `>` truncates: the value replaces the file's text on real sysfs and on a plain file alike.
  assert.match(script.content, new RegExp(`^put never ${ENABLED}$`, 'm'));
  assert.match(script.content, new RegExp(`^put never ${DEFRAG}$`, 'm'));
  assert.match(script.content, /^ {2}if ! echo "\$1" > "\$2"; then$/m);
  assert.doesNotMatch(script.content, /irqs_of|rps_cpus/);
  const unit = r.changes[3].ops[0];
  assert.ok(unit.kind === 'put');
  assert.match(unit.content, /^ExecStart=\/usr\/local\/sbin\/portsyncd-thp\.sh$/m);
  // Early: before services start, after tmpfiles.d, pulled in by sysinit.target.
  assert.match(unit.content, /^DefaultDependencies=no$/m);
  assert.match(unit.content, /^After=local-fs\.target systemd-tmpfiles-setup\.service$/m);
  assert.match(unit.content, /^Before=sysinit\.target shutdown\.target$/m);
  assert.match(unit.content, /^WantedBy=sysinit\.target$/m);
  assert.doesNotMatch(unit.content, /network\.target|multi-user/);
  assert.deepEqual(r.changes[4].ops, [{ kind: 'symlink', path: WANTS, target: UNIT }]);
  assert.deepEqual(
    r.changes.slice(3).map((c) => c.notify),
    [['systemd daemon-reload'], ['systemd daemon-reload']],
  );
});

test('a tmpfiles.d entry from an earlier version is removed on apply, and stays removed', () => {
  const legacy = `w ${ENABLED} - - - - never\n`;
  const old: FakeFactsData = {
    files: { ...host().files, [LEGACY_TMPFILES]: legacy },
    stats: { [LEGACY_TMPFILES]: { type: 'file', mode: '0644', owner: 'root', group: 'root', size: legacy.length } },
  };
  const a = { enabled: 'madvise' };
  const r = planWith(thp, old, a);
  const removal = r.changes.at(-1)!;
  assert.equal(removal.summary, `remove ${LEGACY_TMPFILES} (THP is restored by portsyncd-tuning-thp.service)`);
  assert.deepEqual(removal.ops, [{ kind: 'remove', path: LEGACY_TMPFILES }]);
  assert.match(removal.diff!, new RegExp(`^-w ${ENABLED} - - - - never$`, 'm'));
  const applied = applyChanges(old, r.changes);
  assert.equal(applied.files![LEGACY_TMPFILES], undefined);
  assert.deepEqual(planWith(thp, applied, a).changes, []);
});

test('apply converges; verify reports live and persisted, and a hand edit as drift', () => {
  const a = { enabled: 'never', defrag: 'madvise' };
  const applied = applyChanges(host(), planWith(thp, host(), a).changes);
  assert.equal(applied.files![ENABLED], 'always madvise [never]\n');
  assert.deepEqual(planWith(thp, applied, a).changes, []);
  const args = planWith(thp, applied, a).args;
  assert.deepEqual(thp.inspect!(fakeFacts(applied), args, tuningContext()), [
    { setting: 'transparent_hugepage/enabled', desired: 'never', live: 'never', persisted: 'never', ok: true },
    { setting: 'transparent_hugepage/defrag', desired: 'madvise', live: 'madvise', persisted: 'madvise', ok: true },
  ]);
  const handEdited = { ...applied, files: { ...applied.files, [ENABLED]: '[always] madvise never\n' } };
  assert.deepEqual(
    thp.inspect!(fakeFacts(handEdited), args, tuningContext()).map((s) => s.ok),
    [false, true],
  );
  const scriptEdited = { ...applied, files: { ...applied.files, [SCRIPT]: '#!/bin/sh\n' } };
  assert.deepEqual(
    thp.inspect!(fakeFacts(scriptEdited), args, tuningContext()).map((s) => [s.persisted, s.ok]),
    [
      [`${SCRIPT} differs`, false],
      [`${SCRIPT} differs`, false],
    ],
  );
});

test('a kernel without THP is a plan-time error; offline roots only get the boot script and unit', () => {
  const r = planWith(thp, { files: {} }, { enabled: 'never' });
  assert.match(r.errors[0].message, /\/sys\/kernel\/mm\/transparent_hugepage\/enabled does not exist/);
  assert.deepEqual(r.errors[0].argPath, ['enabled']);
  const offline = planWith(thp, { files: {} }, { enabled: 'never' }, { offline: true });
  assert.deepEqual(offline.errors, []);
  assert.deepEqual(
    offline.changes.map((c) => c.summary),
    BOOT,
  );
});

test('schema: only always|madvise|never, at least one knob', () => {
  assert.equal(validateArgs(thp.schema, { enabled: 'defer' }).ok, false);
  assert.equal(validateArgs(thp.schema, {}).ok, false);
  assert.equal(validateArgs(thp.schema, { defrag: 'madvise' }).ok, true);
});
