import { test } from 'node:test';
import assert from 'node:assert/strict';
import thp, { THP_TMPFILES, bracketed } from '../../../modules/thp/index.js';
import { fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { validateArgs } from './support.js';
import { applyChanges, planWith, tuningContext } from './tuning-support.js';

const ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';
const DEFRAG = '/sys/kernel/mm/transparent_hugepage/defrag';

const host = (): FakeFactsData => ({
  files: { [ENABLED]: 'always [madvise] never\n', [DEFRAG]: 'always defer defer+madvise [madvise] never\n' },
});

test('bracketed value is the current one', () => {
  assert.equal(bracketed('always [madvise] never\n'), 'madvise');
  assert.equal(bracketed('[always] madvise never'), 'always');
  assert.equal(bracketed(null), null);
});

test('table: live changes only for drifted knobs, tmpfiles.d always rendered', () => {
  const rows: [Record<string, string>, string[]][] = [
    [{ enabled: 'never', defrag: 'never' }, ['THP enabled: madvise -> never', 'THP defrag: madvise -> never', `create ${THP_TMPFILES}`]],
    [{ enabled: 'madvise' }, [`create ${THP_TMPFILES}`]],
    [{ defrag: 'always' }, ['THP defrag: madvise -> always', `create ${THP_TMPFILES}`]],
  ];
  for (const [args, summaries] of rows) {
    const r = planWith(thp, host(), args);
    assert.deepEqual(r.changes.map((c) => c.summary), summaries, JSON.stringify(args));
  }
  const r = planWith(thp, host(), { enabled: 'never', defrag: 'never' });
  assert.equal(r.changes[0].diff, `${ENABLED}: madvise -> never\n`);
  assert.deepEqual(r.changes[0].ops, [{ kind: 'exec', argv: ['sh', '-c', `set -e; echo never > ${ENABLED}`], live: true, strictStderr: true }]);
  const conf = r.changes[2].ops[0];
  assert.ok(conf.kind === 'put');
  assert.match(conf.content, new RegExp(`^w ${ENABLED} - - - - never$`, 'm'));
  assert.match(conf.content, new RegExp(`^w ${DEFRAG} - - - - never$`, 'm'));
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
  assert.deepEqual(thp.inspect!(fakeFacts(handEdited), args, tuningContext()).map((s) => s.ok), [false, true]);
});

test('a kernel without THP is a plan-time error; offline roots only get the tmpfiles.d entry', () => {
  const r = planWith(thp, { files: {} }, { enabled: 'never' });
  assert.match(r.errors[0].message, /host sw1: \/sys\/kernel\/mm\/transparent_hugepage\/enabled does not exist/);
  assert.deepEqual(r.errors[0].argPath, ['enabled']);
  const offline = planWith(thp, { files: {} }, { enabled: 'never' }, { offline: true });
  assert.deepEqual(offline.errors, []);
  assert.deepEqual(offline.changes.map((c) => c.summary), [`create ${THP_TMPFILES}`]);
});

test('schema: only always|madvise|never, at least one knob', () => {
  assert.equal(validateArgs(thp.schema, { enabled: 'defer' }).ok, false);
  assert.equal(validateArgs(thp.schema, {}).ok, false);
  assert.equal(validateArgs(thp.schema, { defrag: 'madvise' }).ok, true);
});
