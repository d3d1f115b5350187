// The executor over real chroot transports on temp roots, with modules defined here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../../../src/module.js';
import type { Play, Task } from '../../../src/playbook/types.js';
import type { PlanEnv, RegistryLike } from '../../../src/plan/types.js';
import type { RunEvent } from '../../../src/report/events.js';
import { runPlaybook, type PlayInput } from '../../../src/exec/run.js';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { textReporter } from '../../../src/report/text.js';
import { testPlay } from '../../helpers/play.js';

/** Writes a marker file; when the host's `broken` var names that file, it adds a step that fails. */
const mark: Module<{ path: string }> = {
  name: 'mark',
  schema: {},
  needs: (a) => [
    { kind: 'file', path: a.path },
    { kind: 'file', path: '/etc/poison' },
  ],
  diff(facts, a, ctx) {
    if (ctx.vars.broken === 'plan') ctx.error('cannot plan here', ['path'], 'fix the path');
    if (facts.file('/etc/poison') != null) ctx.error('the host holds /etc/poison', ['path']);
    // never converges: wants the file to hold something other than what it holds
    if (ctx.vars.broken === 'flap')
      return [{ summary: 'flap', ops: [{ kind: 'put', path: a.path, content: (facts.file(a.path) ?? '') + 'x' }] }];
    if (facts.file(a.path) === String(ctx.vars.inventory_hostname)) return [];
    const ops: import('../../../src/module.js').Op[] = [{ kind: 'put', path: a.path, content: String(ctx.vars.inventory_hostname) }];
    if (ctx.vars.broken === a.path) ops.push({ kind: 'exec', argv: ['/no/such/binary'] });
    return [{ summary: `mark ${a.path}`, ops }];
  },
};
const registry: RegistryLike = {
  get: (n) => (n === 'mark' ? (mark as unknown as Module) : undefined),
  validateArgs: () => [],
  handlers: () => new Map(),
};
const env = (check = false): PlanEnv => ({
  registry,
  renderArgs: (a) => a,
  renderTemplate: () => '',
  evalWhen: () => true,
  check,
  tags: { only: [], skip: [] },
});

const pos = { file: 'site.yaml', line: 1, col: 1 };
const task = (name: string, path: string, notify: string[] = []): Task => ({
  name,
  module: 'mark',
  args: { path },
  tags: [],
  notify,
  listen: [],
  pos,
});
const play = (more: Partial<Play> = {}): Play =>
  testPlay({
    tasks: [task('first', '/etc/one'), task('second', '/etc/two', ['h'])],
    handlers: [task('h', '/etc/handler')],
    pos,
    ...more,
  });

/** `special`: 'unreachable' (no root at all) or the path whose change fails on that host. */
function fleet(t: { after(fn: () => void): void }, n: number, special: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const hosts = Array.from({ length: n }, (_, i) => {
    const name = `h${i + 1}`;
    if (special[name] !== 'unreachable') mkdirSync(join(dir, name, 'etc'), { recursive: true });
    return { name, vars: { inventory_hostname: name, broken: special[name], chroot_dir: join(dir, name) } };
  });
  return { dir, hosts };
}

async function run(plays: PlayInput[], check = false, forceHandlers = true, onEvent: (e: RunEvent) => void = () => {}) {
  const events: RunEvent[] = [];
  const code = await runPlaybook(plays, {
    env: env(check),
    forks: 3,
    forceHandlers,
    transportFor: (h, v) => createChrootTransport(h, v.chroot_dir as string),
    reporter: {
      emit: (e) => {
        events.push(e);
        onEvent(e);
      },
    },
  });
  const recap = (events.at(-1) as Extract<RunEvent, { event: 'recap' }>).hosts;
  return { code, events, recap };
}

test('serial [1, "50%"]: batches run in order and the order shows in the events', async (t) => {
  const { dir, hosts } = fleet(t, 5);
  const { code, events } = await run([{ play: play({ serial: [1, '50%'] }), hosts }]);
  assert.equal(code, 0);
  const batches = events.filter((e) => e.event === 'batch_start').map((e) => (e as { hosts: string[] }).hosts);
  assert.deepEqual(batches, [['h1'], ['h2', 'h3'], ['h4', 'h5']]);
  const order = events
    .filter((e) => e.event === 'batch_start' || (e.event === 'result' && e.task === 'first'))
    .map((e) => (e.event === 'result' ? e.host : 'B'));
  assert.deepEqual(order.slice(0, 2), ['B', 'h1']);
  assert.equal(order.indexOf('h4') > order.lastIndexOf('B'), true);
  for (const h of hosts) assert.equal(readFileSync(join(dir, h.name, 'etc/handler'), 'utf8'), h.name);
});

test('max_fail_percentage halts after the batch that exceeds it; later hosts are untouched', async (t) => {
  const { dir, hosts } = fleet(t, 6, { h3: '/etc/one' });
  const { code, events, recap } = await run([{ play: play({ serial: [2], maxFailPercentage: 40 }), hosts }]);
  assert.equal(code, 1);
  assert.match(
    (events.find((e) => e.event === 'halt') as { reason: string }).reason,
    /after batch 2: 1 of 2 hosts .*50% > max_fail_percentage 40%/,
  );
  for (const h of ['h5', 'h6']) assert.ok(!existsSync(join(dir, h, 'etc/one')), `${h} untouched`);
  assert.ok(existsSync(join(dir, 'h4', 'etc/two')), 'the rest of the failing batch still ran');
  assert.equal(recap.h3!.failed, 1);
  // the failed change rolled back its own write, and the host stopped there
  assert.ok(!existsSync(join(dir, 'h3', 'etc/one')));
  assert.ok(!existsSync(join(dir, 'h3', 'etc/two')));
});

test('unreachable is reported as unreachable, counts toward the threshold, and never blocks the others', async (t) => {
  const { dir, hosts } = fleet(t, 4, { h2: 'unreachable' });
  const { code, recap } = await run([{ play: play({ maxFailPercentage: 30 }), hosts }]);
  assert.equal(code, 4);
  assert.deepEqual(recap.h2, { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 1, round_trips: 0 });
  for (const h of ['h1', 'h3', 'h4']) assert.equal(readFileSync(join(dir, h, 'etc/two'), 'utf8'), h);

  const halted = await run([{ play: play({ serial: [2], maxFailPercentage: 30 }), hosts: fleet(t, 4, { h1: 'unreachable' }).hosts }]);
  assert.equal(halted.code, 4);
  assert.ok(halted.events.some((e) => e.event === 'halt'));
  assert.equal(halted.recap.h3!.changed, 0, 'the second batch never ran');
});

test('any_errors_fatal stops the play after a failing batch', async (t) => {
  const { dir, hosts } = fleet(t, 4, { h1: '/etc/one' });
  const { code, events } = await run([{ play: play({ serial: [2], anyErrorsFatal: true }), hosts }]);
  assert.equal(code, 1);
  assert.match((events.find((e) => e.event === 'halt') as { reason: string }).reason, /any_errors_fatal/);
  assert.ok(!existsSync(join(dir, 'h3', 'etc/one')));
  // The other host of the batch finishes the failing task and starts no later one.
  assert.equal(readFileSync(join(dir, 'h2', 'etc/one'), 'utf8'), 'h2');
  assert.ok(!existsSync(join(dir, 'h2', 'etc/two')), 'h2 stopped at the failing task');
  const h2 = events
    .filter((e) => e.event === 'result' && e.host === 'h2')
    .map((e) => [(e as { task: string }).task, (e as { status: string }).status]);
  assert.deepEqual(h2, [['first', 'changed']]);

  // an unreachable host is fatal too, and is still reported as unreachable
  const lost = fleet(t, 4, { h2: 'unreachable' });
  const r = await run([{ play: play({ serial: [2], anyErrorsFatal: true }), hosts: lost.hosts }]);
  assert.equal(r.code, 4);
  assert.equal(r.recap.h2!.unreachable, 1);
  assert.ok(r.events.some((e) => e.event === 'halt'));
  assert.ok(!existsSync(join(lost.dir, 'h3', 'etc/one')));
});

test('handlers of succeeded changes run after a later failure unless --no-force-handlers', async (t) => {
  const p = play({ tasks: [task('first', '/etc/one', ['h']), task('second', '/etc/two')] });
  const { dir, hosts } = fleet(t, 1, { h1: '/etc/two' });
  const forced = await run([{ play: p, hosts }]);
  assert.equal(forced.code, 1);
  assert.equal(readFileSync(join(dir, 'h1', 'etc/handler'), 'utf8'), 'h1');
  assert.deepEqual(
    forced.events.filter((e) => e.event === 'result').map((e) => [(e as { task: string }).task, (e as { status: string }).status]),
    [
      ['first', 'changed'],
      ['second', 'failed'],
      ['h', 'changed'],
    ],
  );
  const other = fleet(t, 1, { h1: '/etc/two' });
  const unforced = await run([{ play: p, hosts: other.hosts }], false, false);
  assert.equal(unforced.code, 1);
  assert.ok(existsSync(join(other.dir, 'h1', 'etc/one')));
  assert.ok(!existsSync(join(other.dir, 'h1', 'etc/handler')));
});

test('check mode changes nothing and exits 2; a converged re-run costs one exec per host', async (t) => {
  const { dir, hosts } = fleet(t, 2);
  const check = await run([{ play: play(), hosts }], true);
  assert.equal(check.code, 2);
  assert.ok(!existsSync(join(dir, 'h1', 'etc/one')));
  assert.equal((await run([{ play: play(), hosts }])).code, 0);
  const again = await run([{ play: play(), hosts }]);
  assert.equal(again.code, 0);
  assert.deepEqual(again.recap.h1, { ok: 2, changed: 0, failed: 0, skipped: 0, unreachable: 0, round_trips: 1 });
  const stats = again.events.filter((e) => e.event === 'host_stats').map((e) => (e as { roundTrips: number }).roundTrips);
  assert.deepEqual(stats, [1, 1]);
  const applied = (await run([{ play: play({ tasks: [task('first', '/etc/three')] }), hosts }])).events;
  const trips = applied.filter((e) => e.event === 'host_stats').map((e) => (e as { roundTrips: number }).roundTrips);
  assert.deepEqual(trips, [2, 2], 'the gather, then one exec that applies and gathers again for the verify');
});

test('a plan-time error on one host exits 3 before any host is changed', async (t) => {
  const { dir, hosts } = fleet(t, 3, { h3: 'plan' });
  const { code, events } = await run([{ play: play({ serial: [1] }), hosts }]);
  assert.equal(code, 3);
  const problems = events.find((e) => e.event === 'problems') as Extract<RunEvent, { event: 'problems' }>;
  assert.deepEqual(
    problems.problems.map((p) => [p.host, p.task, p.message, p.hint]),
    ['first', 'second', 'h'].map((task) => ['h3', task, 'cannot plan here', 'fix the path']),
  );
  for (const h of hosts) assert.ok(!existsSync(join(dir, h.name, 'etc/one')), `${h.name} untouched`);
  assert.equal(events.at(-1)!.event, 'recap');
});

test('one gather serves every play: check mode plans later plays against earlier plans', async (t) => {
  const { dir, hosts } = fleet(t, 2);
  const first = play({ name: 'one', tasks: [task('write', '/etc/one')], handlers: [] });
  const second = play({ name: 'two', tasks: [task('write again', '/etc/one'), task('other', '/etc/two')], handlers: [] });
  const plays = [
    { play: first, hosts },
    { play: second, hosts },
  ];
  const check = await run(plays, true);
  assert.equal(check.code, 2);
  const statuses = check.events
    .filter((e) => e.event === 'result' && e.host === 'h1')
    .map((e) => [(e as { task: string }).task, (e as { status: string }).status]);
  assert.deepEqual(statuses, [
    ['write', 'changed'],
    ['write again', 'ok'],
    ['other', 'changed'],
  ]);
  const trips = (events: RunEvent[]) =>
    events.filter((e) => e.event === 'host_stats' && e.host === 'h1').map((e) => (e as { roundTrips: number }).roundTrips);
  assert.deepEqual(trips(check.events), [1, 1], 'check: one gather for both plays');

  const applied = await run(plays);
  assert.equal(applied.code, 0);
  assert.deepEqual(
    trips(applied.events),
    [2, 3],
    'one gather; per play one exec that applies and gathers for the verify and the next play',
  );
  assert.equal(readFileSync(join(dir, 'h1/etc/two'), 'utf8'), 'h1');
  const again = await run(plays);
  assert.deepEqual(trips(again.events), [1, 1], 'no change: one exec per host for the whole run');
});

test('a change that does not converge is reported failed after the verify gather', async (t) => {
  const { hosts } = fleet(t, 1, { h1: 'flap' });
  const { code, events } = await run([{ play: play({ tasks: [task('first', '/etc/one')], handlers: [] }), hosts }]);
  assert.equal(code, 1);
  const r = events.find((e) => e.event === 'result') as Extract<RunEvent, { event: 'result' }>;
  assert.equal(r.status, 'failed');
  assert.equal(r.msg, 'did not converge: flap');
});

test('preflight: a problem in a later play ends the run with exit 3 before any host changes', async (t) => {
  const { dir, hosts } = fleet(t, 3);
  const first = play({ name: 'one', tasks: [task('write', '/etc/one')], handlers: [] });
  const second = play({ name: 'two', tasks: [task('other', '/etc/two')], handlers: [] });
  const laterBroken = hosts.map((h) => (h.name === 'h3' ? { ...h, vars: { ...h.vars, broken: 'plan' } } : h));
  const { code, events } = await run([
    { play: first, hosts },
    { play: second, hosts: laterBroken },
  ]);
  assert.equal(code, 3);
  const problems = events.find((e) => e.event === 'problems') as Extract<RunEvent, { event: 'problems' }>;
  assert.deepEqual(
    problems.problems.map((p) => [p.host, p.task, p.message]),
    [['h3', 'other', 'cannot plan here']],
  );
  assert.equal(problems.changed, undefined, 'nothing was changed');
  assert.ok(!events.some((e) => e.event === 'batch_start'));
  for (const h of hosts) assert.ok(!existsSync(join(dir, h.name, 'etc/one')), `${h.name} untouched`);
  const trips = events
    .filter((e) => e.event === 'recap')
    .flatMap((e) => Object.values((e as Extract<RunEvent, { event: 'recap' }>).hosts).map((r) => r.round_trips));
  assert.deepEqual(trips, [1, 1, 1], 'one gather per host for both plays');
});

test('a problem that appears only after changes names the hosts and plays that were changed', async (t) => {
  const { dir, hosts } = fleet(t, 2);
  // The host changes under us between the preflight and its batch.
  const poison = (e: RunEvent) => {
    if (e.event === 'batch_start' && e.batch === 2) writeFileSync(join(dir, 'h2/etc/poison'), '');
  };
  const { code, events } = await run([{ play: play({ serial: [1] }), hosts }], false, true, poison);
  assert.equal(code, 3);
  const problems = events.find((e) => e.event === 'problems') as Extract<RunEvent, { event: 'problems' }>;
  assert.deepEqual([...new Set(problems.problems.map((p) => `${p.host}: ${p.message}`))], ['h2: the host holds /etc/poison']);
  assert.deepEqual(problems.changed, [{ host: 'h1', plays: ['p'] }]);
  assert.equal(readFileSync(join(dir, 'h1/etc/one'), 'utf8'), 'h1');
  assert.ok(!existsSync(join(dir, 'h2/etc/one')), 'h2 untouched');

  let out = '';
  const text = textReporter({
    write: (s) => void (out += s),
    writeErr: (s) => void (out += s),
    colour: false,
    live: false,
    diff: false,
    verbose: false,
  });
  text.emit(problems);
  assert.match(out, /3 problems found; changed before they were found: h1 \(p\)\.\n/);
  out = '';
  text.emit({ event: 'problems', problems: problems.problems });
  assert.match(out, /3 problems found; nothing was changed\.\n/);
});

test('an apply that finds its host changed since the facts were read applies nothing, replans and says the plan moved', async (t) => {
  const { dir, hosts } = fleet(t, 3);
  const converge = (e: RunEvent) => {
    if (e.event === 'batch_start' && e.batch === 2) writeFileSync(join(dir, 'h2/etc/one'), 'h2');
  };
  const { code, events } = await run([{ play: play({ serial: [1] }), hosts }], false, true, converge);
  assert.equal(code, 0);
  const moved = events.filter((e) => e.event === 'replanned');
  assert.deepEqual(moved, [{ event: 'replanned', host: 'h2', play: 'p', added: [], removed: ['first: mark /etc/one'] }]);
  const trips = events
    .filter((e) => e.event === 'host_stats')
    .map((e) => [(e as { host: string }).host, (e as { roundTrips: number }).roundTrips]);
  assert.deepEqual(
    trips,
    [
      ['h1', 2],
      ['h2', 3],
      ['h3', 2],
    ],
    'h2: its first apply found the host changed and applied nothing; the second applied the new plan',
  );
  const h2 = events
    .filter((e) => e.event === 'result' && e.host === 'h2')
    .map((e) => [(e as { task: string }).task, (e as { status: string }).status]);
  assert.deepEqual(h2, [
    ['first', 'ok'],
    ['second', 'changed'],
    ['h', 'changed'],
  ]);
});

test('any_errors_fatal: handlers notified before the stop still run (force_handlers)', async (t) => {
  const p = play({ serial: [2], anyErrorsFatal: true, tasks: [task('first', '/etc/one', ['h']), task('second', '/etc/two')] });
  const { dir, hosts } = fleet(t, 2, { h1: '/etc/two' });
  const { code } = await run([{ play: p, hosts }]);
  assert.equal(code, 1);
  for (const h of ['h1', 'h2']) assert.equal(readFileSync(join(dir, h, 'etc/handler'), 'utf8'), h, `${h}: handler ran`);
  assert.ok(existsSync(join(dir, 'h2', 'etc/two')), 'h2 ran the failing task itself');
});

/** A run with one host read at a time, noting each exec and close of a host's transport in order. */
async function contacts(plays: PlayInput[], check: boolean) {
  const log: string[] = [];
  const code = await runPlaybook(plays, {
    env: env(check),
    forks: 1,
    forceHandlers: true,
    transportFor: (h, v) => {
      const t = createChrootTransport(h, v.chroot_dir as string);
      const exec = t.exec.bind(t);
      const close = t.close.bind(t);
      t.exec = (...a) => (log.push(`exec ${h}`), exec(...a));
      t.close = () => (log.push(`close ${h}`), close());
      return t;
    },
    reporter: { emit: () => {} },
  });
  return { code, log };
}

test('check mode closes each host once it is planned, before the next host is read', async (t) => {
  const { hosts } = fleet(t, 3);
  const { code, log } = await contacts([{ play: play(), hosts }], true);
  assert.equal(code, 2);
  assert.deepEqual(log.slice(0, 6), ['exec h1', 'close h1', 'exec h2', 'close h2', 'exec h3', 'close h3']);
});

test('an apply closes a host with no work in any play after its preflight; a host with work stays open for its apply', async (t) => {
  const { dir, hosts } = fleet(t, 2);
  for (const f of ['one', 'two']) writeFileSync(join(dir, 'h2/etc', f), 'h2');
  const { code, log } = await contacts([{ play: play(), hosts }], false);
  assert.equal(code, 0);
  assert.deepEqual(log.slice(0, 4), ['exec h1', 'exec h2', 'close h2', 'exec h1'], 'h2 is closed before h1 is applied');
  assert.equal(log.filter((l) => l === 'exec h2').length, 1, 'h2 is read once');
  assert.ok(log.lastIndexOf('exec h1') < log.indexOf('close h1'), 'h1 closes after its apply');
});
