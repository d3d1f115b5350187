import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Change, Module } from '../../../src/module.js';
import type { Play, Task } from '../../../src/playbook/types.js';
import type { PlanEnv, RegistryLike } from '../../../src/plan/types.js';
import { prepareHost } from '../../../src/plan/prepare.js';
import { planHost } from '../../../src/plan/plan-host.js';
import { recordPos } from '../../../src/source-map.js';
import { ValidationError, type Problem } from '../../../src/errors.js';
import { fakeFacts } from '../../helpers/fake-facts.js';
import { testPlay } from '../../helpers/play.js';

/** Writes `content` to `path` when it differs; reads only what it declares. */
const fileModule: Module<{ path: string; content: string }> = {
  name: 'file',
  schema: {},
  needs: (a) => [{ kind: 'file', path: a.path }],
  diff(facts, a) {
    const cur = facts.file(a.path);
    return cur === a.content ? [] : [{ summary: `write ${a.path}`, ops: [{ kind: 'put', path: a.path, content: a.content }] }];
  },
};

/** Appends a line to a file: its plan depends on what earlier tasks wrote. */
const appendModule: Module<{ path: string; line: string }> = {
  name: 'append',
  schema: {},
  needs: (a) => [{ kind: 'file', path: a.path }],
  diff(facts, a, ctx) {
    const cur = facts.file(a.path) ?? '';
    if (a.line.includes('=')) ctx.error('no = allowed', ['line'], 'drop the =');
    return cur.includes(a.line)
      ? []
      : [{ summary: `append ${a.line}`, ops: [{ kind: 'put', path: a.path, content: cur + a.line + '\n' }] }];
  },
};

const handlerModule: Module<{ name: string }> = {
  name: 'svc',
  schema: {},
  skipInCheck: false,
  needs: () => [],
  diff: (_f, a): Change[] => [
    { summary: `restart ${a.name}`, ops: [{ kind: 'exec', argv: ['systemctl', 'restart', a.name], live: true }] },
  ],
};

const commandModule: Module<{ cmd: string }> = {
  name: 'cmd',
  schema: {},
  skipInCheck: true,
  needs: () => [],
  diff: () => [{ summary: 'run', ops: [] }],
};

const modules = [fileModule, appendModule, handlerModule, commandModule] as unknown as Module[];
const registry: RegistryLike = {
  get: (n) => modules.find((m) => m.name === n),
  validateArgs: (name, args) => (name === 'file' && typeof args.path !== 'string' ? [{ message: 'path must be a string' }] : []),
  handlers: () =>
    new Map([
      ['reload', { module: 'svc', summary: 'daemon-reload', ops: [{ kind: 'exec', argv: ['systemctl', 'daemon-reload'], live: true }] }],
    ]),
};

function env(over: Partial<PlanEnv> = {}): PlanEnv {
  return {
    registry,
    renderArgs: (args) => structuredClone(args),
    renderTemplate: () => '',
    evalWhen: (expr, vars) => Boolean((vars as Record<string, unknown>)[expr]),
    check: false,
    tags: { only: [], skip: [] },
    ...over,
  };
}

let line = 1;
function task(module: string, args: Record<string, unknown>, more: Partial<Task> = {}): Task {
  return {
    name: more.name ?? `${module} ${line}`,
    module,
    args,
    tags: [],
    notify: [],
    listen: [],
    pos: { file: 'site.yaml', line: line++, col: 7 },
    ...more,
  };
}

function play(tasks: Task[], handlers: Task[] = [], more: Partial<Play> = {}): Play {
  return testPlay({ tasks, handlers, pos: { file: 'site.yaml', line: 1, col: 3 }, ...more });
}

test('a later task plans against what earlier tasks would write (overlay)', () => {
  const p = play([
    task('append', { path: '/etc/x', line: 'a' }),
    task('append', { path: '/etc/x', line: 'b' }),
    task('append', { path: '/etc/x', line: 'a' }),
  ]);
  const prep = prepareHost(p, 'h1', {}, env(), false);
  assert.deepEqual(prep.problems, []);
  const plan = planHost(prep, fakeFacts({ files: { '/etc/x': '' } }), env(), false);
  assert.deepEqual(
    plan.tasks.map((t) => t.status),
    ['changed', 'changed', 'ok'],
  );
  const last = plan.tasks[1]!.changes[0]!.ops[0]!;
  assert.equal(last.kind === 'put' && last.content, 'a\nb\n');
});

test('when, tags and check-mode skips', () => {
  const p = play(
    [
      task('file', { path: '/a', content: '1' }, { when: 'enabled' }),
      task('file', { path: '/b', content: '1' }, { when: 'disabled' }),
      task('file', { path: '/c', content: '1' }, { tags: ['sysctl'] }),
      task('cmd', { cmd: 'x' }),
    ],
    [],
    { tags: ['base'] },
  );
  const vars = { enabled: true, disabled: false };
  const checkEnv = env({ check: true, tags: { only: [], skip: ['sysctl'] } });
  const prep = prepareHost(p, 'h1', vars, checkEnv, false);
  assert.equal(prep.tasks.length, 3, 'the skipped tag leaves the task out entirely');
  const plan = planHost(prep, fakeFacts({ files: {} }), checkEnv, false);
  assert.deepEqual(
    plan.tasks.map((t) => [t.status, t.msg]),
    [
      ['changed', undefined],
      ['skipped', 'when: disabled is false'],
      ['skipped', 'skipped in check mode'],
    ],
  );
  const onlySysctl = env({ tags: { only: ['sysctl'], skip: [] } });
  assert.equal(prepareHost(p, 'h1', vars, onlySysctl, false).tasks.length, 1);
  assert.equal(
    prepareHost(p, 'h1', vars, env({ tags: { only: ['base'], skip: [] } }), false).tasks.length,
    4,
    'play tags apply to its tasks',
  );
});

/** The problems the planning pass throws; fails when it throws none. */
function planProblems(pass: () => unknown): Problem[] {
  try {
    pass();
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
  assert.fail('the planning pass found no problem');
}

test('module errors become problems at the arg position; schema problems name host and task', () => {
  const args = { path: '/x', line: 'k=v' };
  recordPos(args, 'line', { file: 'group_vars/leaf.yaml', line: 12, col: 9 });
  const p = play([task('append', args, { name: 'add k' }), task('file', { path: 3, content: '' }, { name: 'bad path' })]);
  const prep = prepareHost(p, 'h1', {}, env(), false);
  assert.deepEqual(prep.problems, [{ message: 'path must be a string', host: 'h1', task: 'bad path' }]);
  assert.deepEqual(
    planProblems(() => planHost(prep, fakeFacts({ files: {} }), env(), false)),
    [
      {
        message: 'no = allowed',
        pos: { file: 'group_vars/leaf.yaml', line: 12, col: 9 },
        path: 'append.line',
        host: 'h1',
        task: 'add k',
        hint: 'drop the =',
      },
    ],
  );
});

test('handlers: notified once, module handlers first, unknown names are problems', () => {
  const p = play(
    [
      task('file', { path: '/a', content: '1' }, { notify: ['restart it'] }),
      task('file', { path: '/b', content: '1' }, { notify: ['restart it', 'reload'] }),
      task('file', { path: '/c', content: 'same' }, { notify: ['never'] }),
    ],
    [task('svc', { name: 'other' }, { name: 'not notified' }), task('svc', { name: 'portsyncd' }, { name: 'restart it' })],
  );
  const prep = prepareHost(p, 'h1', {}, env(), false);
  const plan = planHost(prep, fakeFacts({ files: { '/c': 'same' } }), env(), false);
  assert.deepEqual(
    plan.handlers.map((h) => [h.name, h.source, h.keys]),
    [
      ['reload', 'module', ['reload']],
      ['restart it', 'play', ['restart it']],
    ],
  );
  // a task that changes nothing notifies nothing: planHost did not throw

  const typo = play([task('file', { path: '/a', content: '1' }, { notify: ['restrat it'], name: 'typo' })], p.handlers);
  const bad = planProblems(() => planHost(prepareHost(typo, 'h1', {}, env(), false), fakeFacts({ files: {} }), env(), false));
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.message, /notifies "restrat it", but no handler has that name/);
  assert.equal(bad[0]!.task, 'typo');

  const twice = play(
    [
      task('file', { path: '/a', content: '1' }, { notify: ['restrat it', 'restrat it'], name: 'first' }),
      task('file', { path: '/b', content: '2' }, { notify: ['restrat it', 'reload'], name: 'second' }),
    ],
    p.handlers,
  );
  const once = planProblems(() => planHost(prepareHost(twice, 'h1', {}, env(), false), fakeFacts({ files: {} }), env(), false));
  assert.deepEqual(
    once.map((q) => [q.task, q.message]),
    [['first', 'notifies "restrat it", but no handler has that name']],
    'a key no handler has is reported once, at the first task that notifies it',
  );
});

test('a notified handler whose when is false does not run, and its key needs no other handler', () => {
  const p = play(
    [task('file', { path: '/a', content: '1' }, { notify: ['reload prometheus', 'restart it'] })],
    [
      task('svc', { name: 'prometheus' }, { name: 'reload prometheus', when: 'has_systemd' }),
      task('svc', { name: 'portsyncd' }, { name: 'restart it', when: 'always' }),
    ],
  );
  const vars = { has_systemd: false, always: true };
  const plan = planHost(prepareHost(p, 'h1', vars, env(), false), fakeFacts({ files: {} }), env(), false);
  assert.deepEqual(
    plan.handlers.map((h) => h.name),
    ['restart it'],
  );
});

test('unknown module and a template error are reported with the task position', () => {
  const p = play([task('nope', {}, { name: 'n' }), task('file', { path: '/a', content: '{{ x }}' }, { name: 't' })]);
  const throwing = env({
    renderArgs: (args) => {
      if (JSON.stringify(args).includes('{{')) throw new Error('undefined variable x');
      return args;
    },
  });
  const prep = prepareHost(p, 'h1', {}, throwing, false);
  assert.deepEqual(
    prep.problems.map((x) => [x.task, x.message, x.pos?.line]),
    [
      ['n', 'unknown module "nope"', p.tasks[0]!.pos.line],
      ['t', 'undefined variable x', p.tasks[1]!.pos.line],
    ],
  );
});

test('two tasks that write one file with different content are a problem at the first, naming the second', () => {
  const first = task('file', { path: '/etc/boot.sh', content: 'rule a\n' }, { name: 'pin Ethernet0' });
  const second = task('file', { path: '/etc/boot.sh', content: 'rule b\n' }, { name: 'pin Ethernet4' });
  const p = play([first, task('append', { path: '/etc/x', line: 'a' }), task('append', { path: '/etc/x', line: 'b' }), second]);
  const prep = prepareHost(p, 'h1', {}, env(), false);
  assert.throws(
    () => planHost(prep, fakeFacts({ files: { '/etc/x': '' } }), env(), false),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.problems.length, 1, 'appends that keep each other are no conflict');
      const [problem] = e.problems;
      assert.equal(problem.task, 'pin Ethernet0');
      assert.deepEqual(problem.pos, first.pos);
      assert.match(
        problem.message,
        new RegExp(`writes /etc/boot.sh, which task "pin Ethernet4" \\(site.yaml:${second.pos.line}\\) writes again`),
      );
      return true;
    },
  );
});
