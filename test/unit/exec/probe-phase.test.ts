// The probe phase on this machine's own shell: a probe's `before` reads, its action, then the
// probes' reads, in one exec; a gather of the same probe's needs runs no action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probePhase } from '../../../src/exec/probe-phase.js';
import { gatherFacts } from '../../../src/facts/gather.js';
import { createLocalTransport } from '../../../src/transport/local.js';

function scene(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'state');
  writeFileSync(f, 'old\n');
  const action = { before: [{ kind: 'cmd' as const, argv: ['cat', f] }], argv: ['sh', '-c', 'echo new > "$1"', 'act', f] };
  return { f, action, reads: [{ kind: 'file' as const, path: f }] };
}

test('before reads, then the action, then the reads: one exec, each seeing what came before', async (t) => {
  const { f, action, reads } = scene(t);
  const tr = createLocalTransport();
  const facts = await probePhase(tr, reads, [action]);
  assert.equal(facts.cmd(['cat', f]).stdout, 'old\n');
  assert.deepEqual(facts.cmd(action.argv), { rc: 0, stdout: '', stderr: '' });
  assert.equal(facts.file(f), 'new\n');
  assert.equal(tr.roundTrips, 1);
});

test('a failing action is reported to the probe, and the reads still run', async (t) => {
  const { f, reads } = scene(t);
  const fail = { before: [], argv: ['sh', '-c', 'echo no such port >&2; exit 3'] };
  const facts = await probePhase(createLocalTransport(), reads, [fail]);
  assert.deepEqual(facts.cmd(fail.argv), { rc: 3, stdout: '', stderr: 'no such port\n' });
  assert.equal(facts.file(f), 'old\n');
});

test('a gather never acts: the same reads without the probe phase leave the host as it was', async (t) => {
  const { f, reads } = scene(t);
  const facts = await gatherFacts(createLocalTransport(), reads);
  assert.equal(facts.file(f), 'old\n');
  assert.equal(readFileSync(f, 'utf8'), 'old\n');
});

test("a before read whose output looks like the phase's own lines is read as output", async (t) => {
  const { f, reads } = scene(t);
  const mimic = ['sh', '-c', 'printf "%s\\n" "@@PSD read" "@@PSD act 0 9 b b"'];
  const action = { before: [{ kind: 'cmd' as const, argv: mimic }], argv: ['sh', '-c', 'echo new > "$1"', 'act', f] };
  const facts = await probePhase(createLocalTransport(), reads, [action]);
  assert.equal(facts.cmd(mimic).stdout, '@@PSD read\n@@PSD act 0 9 b b\n');
  assert.deepEqual(facts.cmd(action.argv), { rc: 0, stdout: '', stderr: '' });
  assert.equal(facts.file(f), 'new\n');
});
