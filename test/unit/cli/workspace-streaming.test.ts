// A run is told a play's hosts as soon as that play has loaded, before the rest of the playbook
// is read; what a whole playbook load reports still comes first: a later play's problem wins over
// a --limit problem, and a playbook with a problem prints no host pattern warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkspace } from '../../../src/cli/workspace.js';
import { parseCliOptions } from '../../../src/cli/options.js';
import { ValidationError } from '../../../src/errors.js';

const PLAY = (hosts: string) => `- hosts: ${hosts}\n  gather_facts: false\n  tasks:\n    - debug: { msg: hi }\n`;

function fixture(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-stream-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'inv'));
  writeFileSync(join(dir, 'inv/hosts.yaml'), 'all:\n  children:\n    leaf:\n      hosts:\n        sw1:\n        sw2:\n');
  writeFileSync(join(dir, 'first.yaml'), PLAY('leaf'));
  return dir;
}

/** stderr as written while `fn` runs. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string> {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((s: string) => ((text += s), true)) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

test("a play's hosts are told before the next imported playbook is read", async (t) => {
  const dir = fixture(t);
  writeFileSync(join(dir, 'site.yaml'), '- import_playbook: first.yaml\n- import_playbook: later.yaml\n');
  const told: string[][] = [];
  const ws = await loadWorkspace(parseCliOptions(['-i', join(dir, 'inv')]), join(dir, 'site.yaml'), true, async (hosts) => {
    told.push(hosts.map((h) => h.name));
    // Written only now: a playbook read whole before this call would have found it missing.
    if (told.length === 1) writeFileSync(join(dir, 'later.yaml'), PLAY('sw2'));
  });
  assert.deepEqual(told, [['sw1', 'sw2'], ['sw2']]);
  assert.equal(ws.plays.length, 2);
});

test("a later play's problem is reported, not a --limit problem, and no warning is printed", async (t) => {
  const dir = fixture(t);
  writeFileSync(join(dir, 'site.yaml'), `${PLAY('nosuchgroup')}- hosts: leaf\n  tasks:\n    - nosuchmodule: {}\n`);
  for (const limit of [[], ['--limit', '']]) {
    let err: unknown;
    const stderr = await stderrOf(() =>
      loadWorkspace(parseCliOptions(['-i', join(dir, 'inv'), ...limit]), join(dir, 'site.yaml'), true).catch((e) => (err = e)),
    );
    assert.ok(err instanceof ValidationError);
    assert.match(err.problems.map((p) => p.message).join('\n'), /nosuchmodule/);
    assert.equal(stderr, '');
  }
});

test('with a good playbook, the warnings are printed and a --limit problem is reported', async (t) => {
  const dir = fixture(t);
  writeFileSync(join(dir, 'site.yaml'), PLAY('nosuchgroup') + PLAY('leaf'));
  const stderr = await stderrOf(() => loadWorkspace(parseCliOptions(['-i', join(dir, 'inv')]), join(dir, 'site.yaml'), true));
  assert.match(stderr, /nosuchgroup/);
  await assert.rejects(
    loadWorkspace(parseCliOptions(['-i', join(dir, 'inv'), '--limit', '']), join(dir, 'site.yaml'), true),
    (e: unknown) => e instanceof ValidationError && /--limit is empty/.test(e.problems[0]!.message),
  );
});

test('bad inventory, then bad extra vars, are reported before a problem in the first play', async (t) => {
  const dir = fixture(t);
  writeFileSync(join(dir, 'site.yaml'), '- hosts: leaf\n  tasks:\n    - nosuchmodule: {}\n');
  const problemOf = (argv: string[]) =>
    loadWorkspace(parseCliOptions(argv), join(dir, 'site.yaml'), true).then(
      () => assert.fail('the workspace loaded'),
      (e: unknown) => (assert.ok(e instanceof ValidationError), e.problems.map((p) => p.message).join('\n')),
    );
  writeFileSync(join(dir, 'bad-inv.yaml'), 'all: [not, a, mapping');
  assert.match(await problemOf(['-i', join(dir, 'bad-inv.yaml'), '-e', '@/nonexistent.yaml']), /malformed YAML/);
  assert.match(await problemOf(['-i', join(dir, 'inv'), '-e', '@/nonexistent.yaml']), /nonexistent/);
  assert.match(await problemOf(['-i', join(dir, 'inv')]), /nosuchmodule/);
});
