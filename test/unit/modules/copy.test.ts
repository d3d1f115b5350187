import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import copy from '../../../modules/copy/index.js';
import type { CopyArgs } from '../../../modules/copy/schema.js';
import type { StatFact } from '../../../src/facts/types.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { validateArgs } from './support.js';

const DEST = '/etc/portsyncd/ports.txt';
const playbookDir = mkdtempSync(join(tmpdir(), 'copy-test-'));
after(() => rmSync(playbookDir, { recursive: true }));

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
function stat(content: string | Buffer, over: Partial<StatFact> = {}): StatFact {
  return { type: 'file', mode: '0644', owner: 'root', group: 'root', size: Buffer.byteLength(content), sha256: sha(content), ...over };
}

function plan(facts: FakeFactsData, a: Partial<CopyArgs>) {
  const ctx = fakeContext({ vars: { playbook_dir: playbookDir } });
  const changes = copy.diff(fakeFacts(facts), { dest: DEST, ...a } as CopyArgs, ctx);
  return { changes, errors: ctx.errors, ctx };
}

test('same checksum and attributes -> no change', () => {
  assert.deepEqual(plan({ stats: { [DEST]: stat('a\n') } }, { content: 'a\n', mode: '0644' }).changes, []);
});

test('checksum decides: a target file with the same bytes is ok even when its content fact is missing', () => {
  assert.deepEqual(plan({ stats: { [DEST]: stat('x\n') } }, { content: 'x\n' }).changes, []);
});

test('text content differs -> unified diff and a put', () => {
  const r = plan({ files: { [DEST]: 'Ethernet0\n' }, stats: { [DEST]: stat('Ethernet0\n') } }, { content: 'Ethernet0\nEthernet4\n' });
  assert.equal(r.changes.length, 1);
  assert.match(r.changes[0].diff!, /^--- a\/etc\/portsyncd\/ports\.txt\n\+\+\+ b\/etc\/portsyncd\/ports\.txt\n/);
  assert.match(r.changes[0].diff!, /^\+Ethernet4$/m);
  assert.deepEqual(r.changes[0].ops, [{ kind: 'put', path: DEST, content: 'Ethernet0\nEthernet4\n' }]);
});

test('src relative to the playbook directory, new file', () => {
  writeFileSync(join(playbookDir, 'ports.txt'), 'Ethernet8\n');
  const r = plan({}, { src: 'ports.txt', mode: '0600' });
  assert.equal(r.changes[0].summary, `create ${DEST}`);
  assert.match(r.changes[0].diff!, /^\+Ethernet8$/m);
  assert.deepEqual(r.changes[0].ops, [{ kind: 'put', path: DEST, content: 'Ethernet8\n', mode: '0600' }]);
});

test('binary src: "binary content differs", uploaded by checksum with the owner set before the rename', () => {
  const bytes = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]);
  writeFileSync(join(playbookDir, 'portsyncd.bin'), bytes);
  const r = plan({ files: { [DEST]: 'old' }, stats: { [DEST]: stat('old') } }, { src: 'portsyncd.bin', owner: 'portsyncd', mode: '0755' });
  assert.equal(
    r.changes[0].diff,
    `${DEST} mode: 0644 -> 0755\n${DEST} owner: root -> portsyncd\n${DEST}: binary content differs (3 -> 8 bytes)\n`,
  );
  assert.deepEqual(r.changes[0].ops, [
    { kind: 'upload', path: DEST, localPath: join(playbookDir, 'portsyncd.bin'), sha256: sha(bytes), mode: '0755', owner: 'portsyncd' },
  ]);
});

test('text over 256 KiB is compared by checksum only', () => {
  const big = 'x'.repeat(300 * 1024) + '\n';
  writeFileSync(join(playbookDir, 'big.txt'), big);
  const needs = copy.needs({ dest: DEST, src: 'big.txt', follow: false }, fakeContext({ vars: { playbook_dir: playbookDir } }));
  assert.deepEqual(needs, [{ kind: 'stat', path: DEST }]);
  const r = plan({ stats: { [DEST]: stat('y') } }, { src: 'big.txt' });
  assert.match(r.changes[0].diff!, /binary content differs \(1 -> 307201 bytes\)/);
  assert.equal(r.changes[0].ops[0].kind, 'upload');
  assert.deepEqual(plan({ stats: { [DEST]: stat(big) } }, { src: 'big.txt' }).changes, []);
});

test('small text src needs the target content for the diff', () => {
  writeFileSync(join(playbookDir, 'small.txt'), 'a\n');
  assert.deepEqual(copy.needs({ dest: DEST, src: 'small.txt', follow: false }, fakeContext({ vars: { playbook_dir: playbookDir } })), [
    { kind: 'stat', path: DEST },
    { kind: 'file', path: DEST },
  ]);
});

test('mode drift alone', () => {
  const r = plan({ files: { [DEST]: 'a\n' }, stats: { [DEST]: stat('a\n', { mode: '0666' }) } }, { content: 'a\n', mode: '0644' });
  assert.equal(r.changes[0].summary, `${DEST}; mode: 0666 -> 0644`);
});

test('unreadable src is a plan error at src, reported once', () => {
  const ctx = fakeContext({ vars: { playbook_dir: playbookDir } });
  const args = { dest: DEST, src: 'missing.txt', follow: false };
  copy.needs(args, ctx);
  assert.deepEqual(copy.diff(fakeFacts({}), args, ctx), []);
  assert.equal(ctx.errors.length, 1);
  assert.equal(ctx.errors[0].message, `no such file: missing.txt (looked in: ${playbookDir}/files, ${playbookDir})`);
  assert.deepEqual(ctx.errors[0].argPath, ['src']);
  assert.match(ctx.errors[0].hint!, /create the file in one of those folders/);
});

test('schema: exactly one of content and src', () => {
  assert.ok(validateArgs(copy.schema, { dest: DEST, content: '' }).ok);
  assert.ok(validateArgs(copy.schema, { dest: DEST, src: 'f' }).ok);
  assert.equal(validateArgs(copy.schema, { dest: DEST }).ok, false);
  assert.equal(validateArgs(copy.schema, { dest: DEST, src: 'f', content: 'x' }).ok, false);
  assert.equal(validateArgs(copy.schema, { dest: 'x', content: 'x' }).ok, false);
});

test('validate: text goes out as a put that carries the command; a shell construct or an uploaded src is refused', () => {
  const r = plan({}, { content: 'groups: []\n', validate: 'promtool check rules %s' });
  assert.deepEqual(r.changes[0].ops, [{ kind: 'put', path: DEST, content: 'groups: []\n', validate: 'promtool check rules %s' }]);
  assert.equal(validateArgs(copy.schema, { dest: DEST, content: 'x', validate: 'promtool check rules' }).ok, false, 'no %s');
  assert.equal(validateArgs(copy.schema, { dest: DEST, content: 'x', validate: 'promtool check rules %s; rm -rf /' }).ok, false);
  const quote = plan({}, { content: 'x', validate: "promtool 'check %s" });
  assert.deepEqual(quote.changes, []);
  assert.match(quote.errors[0]!.message, /^validate: /);
  writeFileSync(join(playbookDir, 'rules.bin'), Buffer.from([1, 0, 2]));
  const binary = plan({}, { src: 'rules.bin', validate: 'promtool check rules %s' });
  assert.deepEqual(binary.changes, []);
  assert.match(binary.errors[0]!.message, /validate needs a text src of at most 256 KiB; this one \(3 bytes\) is uploaded/);
});
