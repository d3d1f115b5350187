// Property: any string a module can hand to the engine (a path, a name, an argument, a validate
// word, a symlink target, file content) reaches the target literally, and none of it runs. Random
// hostile strings go through every kind of op and fact query in one apply and one gather; a
// marker file that any injected command would create must never appear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTransport } from '../../../src/transport/local.js';
import { compileApplyScript, parseApplyOutput, type ScriptStep } from '../../../src/exec/apply-script.js';
import { composeGatherScript } from '../../../src/facts/gather-script.js';
import { gatherFacts } from '../../../src/facts/gather.js';
import { shq, UnquotableError } from '../../../src/script/shell.js';
import { hostile, hostilePieces, rng } from '../../helpers/hostile-strings.js';

const base = mkdtempSync(join(tmpdir(), 'psd-quoting-'));
const marker = join(base, 'RAN');
const PIECES = hostilePieces(marker);

/** A file name from a hostile string: no `/`, not `.` or `..`, not too long. */
function fileName(s: string, i: number): string {
  return `${i}-${s.replace(/\//g, '_')}`.slice(0, 60);
}

test('hostile strings through every op and fact query arrive literally and never run', async (t) => {
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const r = rng(1309);
  const dir = join(base, 'target');
  mkdirSync(dir);
  const values = Array.from({ length: 60 }, () => hostile(r, PIECES));
  const steps: ScriptStep[] = values.flatMap((v, i) => {
    const name = fileName(v, i);
    const sub = join(dir, `d-${name}`);
    return [
      // path, content and a validate word given the hostile value
      {
        change: {
          summary: v,
          ops: [{ kind: 'put' as const, path: join(sub, name), content: v, validate: `cmp %s ${shellWord(expectPath(v, i))}` }],
        },
        sets: [],
      },
      { change: { summary: v, ops: [{ kind: 'symlink' as const, path: join(dir, `l-${name}`), target: v }] }, sets: [] },
      {
        change: { summary: v, ops: [{ kind: 'exec' as const, argv: ['cp', '--', join(sub, name), join(sub, `${name}.copy`)] }] },
        sets: [],
      },
    ];
  });
  // Each validate compares with this file, so the hostile path has to arrive intact.
  mkdirSync(join(base, 'expect'));
  values.forEach((v, i) => {
    const name = fileName(v, i);
    mkdirSync(join(dir, `d-${name}`));
    writeFileSync(join(dir, `d-${name}`, `${name}.expect`), v);
    writeFileSync(expectPath(v, i), v);
  });
  const { script } = compileApplyScript(steps, { root: '', offline: false }, true);
  const res = await createLocalTransport().exec(script);
  const out = parseApplyOutput(res.stdout, steps.length);
  out.forEach((o, i) => assert.equal(o.status, 'ok', `step ${i} (${JSON.stringify(values[Math.floor(i / 3)])}): ${o.error}`));
  values.forEach((v, i) => {
    const name = fileName(v, i);
    assert.equal(readFileSync(join(dir, `d-${name}`, name), 'utf8'), v);
    assert.equal(readFileSync(join(dir, `d-${name}`, `${name}.copy`), 'utf8'), v);
    assert.equal(readlinkSync(join(dir, `l-${name}`)), v);
  });
  assert.equal(existsSync(marker), false, 'no injected command ran');
  assert.deepEqual(readdirSync(base).sort(), ['expect', 'target']);

  // The same values through the gather: file, stat, glob folder, command arguments, unit name.
  const queries = values.flatMap((v, i) => {
    const name = fileName(v, i);
    return [
      { kind: 'file' as const, path: join(dir, `d-${name}`, name) },
      { kind: 'stat' as const, path: join(dir, `d-${name}`, name) },
      { kind: 'files' as const, glob: join(dir, `d-${name}`, '*.expect') },
      { kind: 'cmd' as const, argv: ['printf', '%s', v] },
    ];
  });
  const facts = await gatherFacts(createLocalTransport(), queries);
  values.forEach((v, i) => {
    const name = fileName(v, i);
    const path = join(dir, `d-${name}`, name);
    assert.equal(facts.file(path), v);
    assert.equal(facts.stat(path)?.size, Buffer.byteLength(v));
    assert.deepEqual(facts.files(join(dir, `d-${name}`, '*.expect')), { [`${path}.expect`]: v });
    assert.equal(facts.cmd(['printf', '%s', v]).stdout, v);
    assert.equal(facts.leads?.(join(dir, `d-${name}`)), join(realpathSync(dir), `d-${name}`), 'where the folder leads');
  });
  assert.equal(existsSync(marker), false, 'no injected command ran during the gather');
});

/** Where validate's `cmp` finds the expected bytes: a hostile name too, but without `%s`, which
 *  a validate command reads as the file to check. */
function expectPath(v: string, i: number): string {
  return join(base, 'expect', fileName(v, i).replace(/%/g, '_'));
}

/** A validate word holding `s` literally: single quotes, with `'` written as `'\''`-free pieces. */
function shellWord(s: string): string {
  // The validate splitter takes '…' literally and joins adjacent pieces, as sh does.
  return s
    .split("'")
    .map((p) => `'${p}'`)
    .join(`"'"`);
}

test('NUL cannot be quoted: refused before any script is built', () => {
  assert.throws(() => shq('a\0b'), UnquotableError);
  assert.throws(
    () =>
      compileApplyScript(
        [{ change: { summary: 'n', ops: [{ kind: 'put', path: '/tmp/a\0b', content: '' }] }, sets: [] }],
        { root: '', offline: false },
        true,
      ),
    UnquotableError,
  );
  assert.throws(() => composeGatherScript([{ kind: 'file', path: '/etc/a\0' }], { root: '', offline: false }), UnquotableError);
});
