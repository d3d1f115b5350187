// A host's apply runs in one exec that first checks the host still gives the gather the plan was
// made from, and gathers it again after: round trips of a cold apply, and what happens when the
// host changes between the read and the apply (chroot transports on temp roots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../../../src/module.js';
import type { Play } from '../../../src/playbook/types.js';
import type { PlanEnv } from '../../../src/plan/types.js';
import type { RunEvent } from '../../../src/report/events.js';
import type { Transport } from '../../../src/transport/types.js';
import { runPlaybook } from '../../../src/exec/run.js';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { gather, gatherScript, readGather } from '../../../src/facts/gather.js';
import { guardedScript, outputDigest, splitGuardedOutput } from '../../../src/exec/guarded-script.js';
import { testPlay } from '../../helpers/play.js';

/** Writes /etc/out; with `from`, its content is that file's (so the plan depends on it); the
 *  file `/etc/noise` is read but never used. */
const copyOf: Module<{ from?: string }> = {
  name: 'copy_of',
  schema: {},
  needs: (a) => [
    { kind: 'file', path: '/etc/out' },
    { kind: 'file', path: '/etc/noise' },
    ...(a.from ? [{ kind: 'file' as const, path: a.from }] : []),
  ],
  diff(facts, a) {
    const want = a.from ? (facts.file(a.from) ?? '') : 'fixed';
    return facts.file('/etc/out') === want ? [] : [{ summary: 'write /etc/out', ops: [{ kind: 'put', path: '/etc/out', content: want }] }];
  },
};

const env: PlanEnv = {
  registry: { get: () => copyOf as unknown as Module, validateArgs: () => [], handlers: () => new Map() },
  renderArgs: (a) => a,
  renderTemplate: () => '',
  evalWhen: () => true,
  check: false,
  tags: { only: [], skip: [] },
};

const pos = { file: 'site.yaml', line: 1, col: 1 };
const play = (args: Record<string, unknown>): Play =>
  testPlay({ tasks: [{ name: 'out', module: 'copy_of', args, tags: [], notify: [], listen: [], pos }], pos });

/** A chroot host whose `changing` file gets new content before every exec after the first: a
 *  host that changes under the run. */
function host(t: { after(fn: () => void): void }, changing?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-guard-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/source'), 'one');
  const inner = createChrootTransport('h1', dir);
  let execs = 0;
  const transport: Transport = Object.assign(Object.create(inner) as Transport, {
    exec: (script: string) => {
      if (changing && execs++ > 0) writeFileSync(join(dir, changing), String(execs));
      return inner.exec(script);
    },
  });
  return { dir, transport };
}

async function run(transport: Transport, args: Record<string, unknown>) {
  const events: RunEvent[] = [];
  const code = await runPlaybook([{ play: play(args), hosts: [{ name: 'h1', vars: {} }] }], {
    env,
    forks: 1,
    forceHandlers: true,
    transportFor: () => transport,
    reporter: { emit: (e) => void events.push(e) },
  });
  const recap = (events.at(-1) as Extract<RunEvent, { event: 'recap' }>).hosts.h1!;
  const results = events.flatMap((e) => (e.event === 'result' ? [[e.task, e.status, e.msg ?? '']] : []));
  return { code, recap, results, events };
}

test('a cold apply costs 2 round trips (gather, then guarded apply and verify gather); a re-run 1', async (t) => {
  const { dir, transport } = host(t);
  const cold = await run(transport, { from: '/etc/source' });
  assert.equal(cold.code, 0);
  assert.deepEqual(cold.results, [['out', 'changed', '']]);
  assert.equal(cold.recap.round_trips, 2);
  assert.equal(readFileSync(join(dir, 'etc/out'), 'utf8'), 'one');
  const warm = await run(createChrootTransport('h1', dir), { from: '/etc/source' });
  assert.deepEqual([warm.code, warm.recap.changed, warm.recap.round_trips], [0, 0, 1]);
});

test('a fact the plan does not depend on moved: the plan is applied as it was, one exec later', async (t) => {
  const { dir, transport } = host(t, 'etc/noise');
  const r = await run(transport, {});
  assert.equal(r.code, 0);
  assert.deepEqual(r.results, [['out', 'changed', '']]);
  assert.equal(readFileSync(join(dir, 'etc/out'), 'utf8'), 'fixed');
  assert.equal(r.recap.round_trips, 3, 'gather; guarded exec that found the host changed; apply');
  assert.ok(!r.events.some((e) => e.event === 'replanned'), 'the plan did not move');
});

test('a host that changes what the plan depends on before every apply is failed, and nothing is applied', async (t) => {
  const { dir, transport } = host(t, 'etc/source');
  const r = await run(transport, { from: '/etc/source' });
  assert.equal(r.code, 1);
  assert.deepEqual(r.results, [
    ['apply', 'failed', 'the host changed again between reading it and applying, 3 times; nothing was applied, run again'],
  ]);
  assert.equal(existsSync(join(dir, 'etc/out')), false);
  assert.equal(r.recap.round_trips, 4, 'the gather, then three guarded execs that each found the host changed');
});

test('the guarded script: drift skips the apply and still gathers; a cut-short script counts as failed', () => {
  const script = guardedScript({ gather: 'echo gathered\n', expected: '0'.repeat(64) }, 'echo applied\n');
  assert.match(script, /^psd_guarded\(\) \{[\s\S]*\npsd_guarded\n$/);
  const drift = splitGuardedOutput({ rc: 0, stdout: '@@PSD guard drift\n@@PSD after\ngathered\n', stderr: '' });
  assert.deepEqual([drift.applied, drift.after.stdout], [false, 'gathered\n']);
  const ok = splitGuardedOutput({ rc: 0, stdout: '@@PSD guard ok\n@@PSD ok 0\n@@PSD applied 0\n@@PSD after\ng\n', stderr: '' });
  assert.deepEqual([ok.applied, ok.apply.rc, ok.after.stdout], [true, 0, 'g\n']);
  const cut = splitGuardedOutput({ rc: 255, stdout: '@@PSD guard ok\n@@PSD start 0\n', stderr: 'lost' });
  assert.deepEqual([cut.applied, cut.apply.rc, cut.after.rc], [true, 1, 1]);
});

test('the guard leaves volatile lines out of its comparison, in the shell as in the digest', async () => {
  const tr = createLocalTransport();
  const gathered = (free: string) => `a\n@@PSD volatile 3 MemFree: ${free} kB\nb\n`;
  assert.equal(outputDigest(gathered('1')), outputDigest(gathered('2')));
  assert.notEqual(outputDigest(gathered('1')), outputDigest('a\nc\n'));
  const guarded = (gatherText: string) =>
    tr.exec(guardedScript({ gather: `printf '%s' '${gatherText}'\n`, expected: outputDigest(gathered('1')) }, 'echo applied\n'));
  assert.equal(splitGuardedOutput(await guarded(gathered('2'))).applied, true, 'only free memory moved');
  assert.equal(splitGuardedOutput(await guarded('a\nc\n')).applied, false, 'a steady line moved');
});

test('free memory, read in every gather of Ansible facts, does not stop a guarded apply on an unchanged host', async () => {
  const tr = createLocalTransport();
  const first = await gather(tr, [{ kind: 'system' }]);
  const memfree = first.facts.system().memfree_mb;
  assert.ok(typeof memfree === 'number' && memfree > 0, `memfree_mb ${String(memfree)}`);
  assert.match(first.stdout, /^@@PSD volatile 0 MemFree: +\d+ kB$/m);
  const res = await tr.exec(
    guardedScript({ gather: gatherScript(tr, [{ kind: 'system' }]), expected: outputDigest(first.stdout) }, 'echo applied\n'),
  );
  assert.equal(splitGuardedOutput(res).applied, true);
});

test('files of any bytes give the host the digest computed here: an unchanged host is applied to, and read the same after', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-guard-bytes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bin'), Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0xc3, 0x28, 0x0a, 0x0a, 0x41]));
  writeFileSync(join(dir, 'marks'), '@@PSD volatile 0 kept\r\n@@PSD after\nno newline');
  const tr = createLocalTransport();
  const queries = [
    { kind: 'file' as const, path: join(dir, 'bin') },
    { kind: 'files' as const, glob: join(dir, '*') },
    { kind: 'stat' as const, path: join(dir, 'bin') },
  ];
  const before = await gather(tr, queries);
  const res = await tr.exec(guardedScript({ gather: gatherScript(tr, queries), expected: outputDigest(before.stdout) }, 'echo applying\n'));
  const split = splitGuardedOutput(res);
  assert.equal(split.applied, true, res.stdout);
  assert.equal(split.apply.stdout, `applying\n@@PSD applied 0\n`);
  assert.equal(readGather(queries, split.after).stdout, before.stdout);
});
