import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../../../src/module.js';
import type { Task, Vars } from '../../../src/playbook/types.js';
import type { PlanEnv } from '../../../src/plan/types.js';
import type { HostPlan } from '../../../src/plan/types.js';
import type { Problem } from '../../../src/errors.js';
import { ValidationError } from '../../../src/errors.js';
import { prepareHost } from '../../../src/plan/prepare.js';
import { planHost } from '../../../src/plan/plan-host.js';
import { buildFacts } from '../../../src/facts/facts-view.js';
import { renderArgs, renderTemplateFile } from '../../../src/render/template.js';
import { markUnsafe } from '../../../src/raw-data.js';
import { evalWhen } from '../../../src/playbook/when.js';
import { testPlay } from '../../helpers/play.js';

interface ConfArgs {
  path: string;
  template: string;
  check?: string;
}

/** Writes a template's output to `path`, warning when the file is missing and reporting an
 *  empty render; optionally evaluates a condition through its context. Counts its diffs. */
let diffs = 0;
const conf: Module<ConfArgs> = {
  name: 'conf',
  schema: {},
  needs: (a) => [{ kind: 'file', path: a.path }],
  diff(facts, a, ctx) {
    diffs++;
    const cur = facts.file(a.path);
    if (cur === null) ctx.warn(`${a.path} is missing`);
    if (a.check !== undefined && !ctx.test(a.check)) return [];
    const content = ctx.render(a.template, { path: a.path });
    if (!content.trim()) ctx.error('the template renders nothing', ['template']);
    return cur === content ? [] : [{ summary: `write ${a.path}`, ops: [{ kind: 'put', path: a.path, content }] }];
  },
};

function setup(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-diff-memo-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const env: PlanEnv = {
    registry: { get: (n) => (n === 'conf' ? (conf as unknown as Module) : undefined), validateArgs: () => [], handlers: () => new Map() },
    renderArgs,
    renderTemplate: (name, vars) => renderTemplateFile(dir, name, vars),
    evalWhen,
    check: true,
    tags: { only: [], skip: [] },
  };
  const task: Task = {
    name: 'conf',
    module: 'conf',
    args: {},
    tags: [],
    notify: [],
    listen: [],
    pos: { file: 'site.yaml', line: 3, col: 5 },
  };
  const play = (args: Vars) => testPlay({ gatherFacts: false, tasks: [{ ...task, args }] });
  return { dir, env, play, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function inSetup(files: Record<string, string>, body: (s: ReturnType<typeof setup>) => void): void {
  const s = setup(files);
  try {
    body(s);
  } finally {
    s.done();
  }
}

/** One host planned: its plan, or the problems it threw. */
function plan(env: PlanEnv, play: ReturnType<ReturnType<typeof setup>['play']>, host: string, vars: Vars, file?: string) {
  const prep = prepareHost(play, host, vars, env, true);
  const answers = new Map(file === undefined ? [] : [[0, { status: 'ok', fields: [file], items: [] }]]);
  try {
    return planHost(prep, buildFacts(undefined, prep.queries, answers), env, true);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
}

function changesOf(p: HostPlan | Problem[]) {
  if (Array.isArray(p)) assert.fail(JSON.stringify(p));
  return p.tasks.map((t) => ({ changes: t.changes.map((c) => ({ summary: c.summary, ops: c.ops })), warnings: t.warnings }));
}

test('hosts with the same args, facts and variables read share one diff; a differing fact or variable read gets its own', () => {
  inSetup({ 'x.hbs': '{{greeting}} from {{path}}\n' }, (s) => {
    const play = s.play({ path: '/etc/x.conf', template: 'x.hbs' });
    diffs = 0;
    const a = plan(s.env, play, 'a', { greeting: 'hi', unread: 1 }, 'old\n');
    const b = plan(s.env, play, 'b', { greeting: 'hi', unread: 2 }, 'old\n');
    assert.equal(diffs, 1, 'a variable no read names is no part of the key');
    assert.deepEqual(changesOf(b), changesOf(a));
    assert.deepEqual(changesOf(a)[0]!.changes[0]!.ops, [{ kind: 'put', path: '/etc/x.conf', content: 'hi from /etc/x.conf\n' }]);

    const upToDate = plan(s.env, play, 'c', { greeting: 'hi' }, 'hi from /etc/x.conf\n');
    assert.deepEqual(changesOf(upToDate)[0]!.changes, [], 'a host whose file differs is diffed on its own facts');
    const missing = plan(s.env, play, 'd', { greeting: 'hi' });
    assert.deepEqual(changesOf(missing)[0]!.warnings, ['/etc/x.conf is missing']);
    const other = plan(s.env, play, 'e', { greeting: 'hello' }, 'old\n');
    assert.deepEqual(changesOf(other)[0]!.changes[0]!.ops, [{ kind: 'put', path: '/etc/x.conf', content: 'hello from /etc/x.conf\n' }]);
    const unsafe: Vars = { greeting: 'hi' };
    markUnsafe(unsafe, 'greeting');
    plan(s.env, play, 'f', unsafe, 'old\n');
    assert.equal(diffs, 5, 'a file, a missing file, another value and an !unsafe mark are each a diff of their own');

    // Each again: remembered, with its warning for the host that reads the missing file.
    assert.deepEqual(changesOf(plan(s.env, play, 'g', { greeting: 'hi' })), changesOf(missing));
    assert.deepEqual(changesOf(plan(s.env, play, 'h', { greeting: 'hello' }, 'old\n')), changesOf(other));
    assert.equal(diffs, 5);
  });
});

test('a file whose text starts with a NUL, or reads as a key, is told apart from a missing file', () => {
  inSetup({ 'x.hbs': 'x\n' }, (s) => {
    const play = s.play({ path: '/etc/x.conf', template: 'x.hbs' });
    diffs = 0;
    const missing = plan(s.env, play, 'a', {});
    // 'z' is the data key of a missing file's null, and NUL 'z' that key as other results carry it.
    const texts = ['z', '\0z', '\0s2:\0z'].map((text, i) => plan(s.env, play, `t${i}`, {}, text));
    assert.equal(diffs, 4, 'each text is a diff of its own');
    assert.deepEqual(changesOf(missing)[0]!.warnings, ['/etc/x.conf is missing']);
    for (const t of texts) assert.deepEqual(changesOf(t)[0]!.warnings, []);

    // Each again: remembered, the missing file with its warning.
    assert.deepEqual(changesOf(plan(s.env, play, 'b', {})), changesOf(missing));
    ['z', '\0z', '\0s2:\0z'].forEach((text, i) => assert.deepEqual(changesOf(plan(s.env, play, `u${i}`, {}, text)), changesOf(texts[i]!)));
    assert.equal(diffs, 4);
  });
});

test('hosts share the items of a loop and the diffs made of them; a marked variable the diff does not read is no part of its key', () => {
  inSetup({ 'l.hbs': '{{item.key}}={{item.value}}\n' }, (s) => {
    const looped = testPlay({
      gatherFacts: false,
      tasks: [
        {
          name: 'conf',
          module: 'conf',
          args: { path: '/etc/l.conf', template: 'l.hbs' },
          loop: { kind: 'loop', items: '{{ settings | dict2items }}', loopVar: 'item' },
          tags: [],
          notify: [],
          listen: [],
          pos: { file: 'site.yaml', line: 3, col: 5 },
        },
      ],
    });
    const host = (name: string, settings: Vars) => {
      const vars: Vars = { settings, hostname: name };
      markUnsafe(vars, 'hostname');
      return changesOf(plan(s.env, looped, name, vars, 'old\n')).map((t) => t.changes[0]!.ops[0]);
    };
    const settings = { a: 1, b: 2 };
    diffs = 0;
    const [a, b] = [host('a', settings), host('b', settings)];
    assert.equal(diffs, 2, 'one diff per item, shared by both hosts');
    const c = host('c', { a: 1, b: 3 });
    assert.equal(diffs, 4, 'other values are other items');
    assert.deepEqual(a, b);
    assert.deepEqual(
      [a, c].map((ops) => ops.map((op) => (op as { content: string }).content)),
      [
        ['a=1\n', 'b=2\n'],
        ['a=1\n', 'b=3\n'],
      ],
    );
  });
});

test("with Ansible's facts gathered, args that read no fact are shared between hosts; args that read one are made for each", () => {
  inSetup({ 'x.hbs': 'x\n' }, (s) => {
    const task = (name: string, path: string): Task => ({
      name,
      module: 'conf',
      args: { path, template: 'x.hbs' },
      tags: [],
      notify: [],
      listen: [],
      pos: { file: 'site.yaml', line: 3, col: 5 },
    });
    const play = testPlay({
      gatherFacts: true,
      tasks: [task('plain', '/etc/{{ name }}.conf'), task('facts', '/etc/{{ ansible_hostname }}.conf')],
    });
    // A variable that names a fact makes the play gather them, and its args render on stand-ins first.
    const [a, b] = ['a', 'b'].map((h) => prepareHost(play, h, { name: 'x', greeting: '{{ ansible_hostname }}' }, s.env, true));
    assert.equal(a!.ansibleFacts, true);
    assert.equal(a!.tasks[0]!.args, b!.tasks[0]!.args, 'one shared copy');
    assert.deepEqual({ ...a!.tasks[0]!.args }, { path: '/etc/x.conf', template: 'x.hbs' });
    assert.deepEqual(
      [a, b].map((p) => p!.tasks[1]!.deferred),
      ['facts', 'facts'],
      'a task whose args read a fact is rendered again on the real facts, on every host',
    );
  });
});

test('a remembered problem is reported for each host that has it, named by that host', () => {
  inSetup({ 'empty.hbs': '{{#if greeting}}{{greeting}}{{/if}}\n' }, (s) => {
    const play = s.play({ path: '/etc/x.conf', template: 'empty.hbs' });
    diffs = 0;
    const [a, b] = ['a', 'b'].map((h) => plan(s.env, play, h, { greeting: '' }, 'x\n') as Problem[]);
    assert.equal(diffs, 1);
    assert.deepEqual(
      [a, b].map((ps) => ps.map((p) => [p.host, p.task, p.message])),
      [[['a', 'conf', 'the template renders nothing']], [['b', 'conf', 'the template renders nothing']]],
    );
  });
});

test('changes shared between hosts are frozen: no host changes what another plans', () => {
  inSetup({ 'x.hbs': 'x\n' }, (s) => {
    const play = s.play({ path: '/etc/x.conf', template: 'x.hbs' });
    const a = plan(s.env, play, 'a', {}, 'old\n') as HostPlan;
    const b = plan(s.env, play, 'b', {}, 'old\n') as HostPlan;
    const op = b.tasks[0]!.changes[0]!.ops[0]!;
    assert.equal(op, a.tasks[0]!.changes[0]!.ops[0]);
    assert.throws(() => Object.assign(op, { path: '/etc/other' }), TypeError);
  });
});

test('a condition the diff evaluates reads the variables it names as a template does', () => {
  inSetup({ 'y.hbs': 'y\n' }, (s) => {
    const play = s.play({ path: '/etc/y.conf', template: 'y.hbs', check: 'wanted and level > 2' });
    diffs = 0;
    const wanted = plan(s.env, play, 'a', { wanted: true, level: 3 }, 'old\n');
    const unwanted = plan(s.env, play, 'b', { wanted: true, level: 2 }, 'old\n');
    const again = plan(s.env, play, 'c', { wanted: true, level: 3, other: 1 }, 'old\n');
    assert.equal(diffs, 2);
    assert.equal(changesOf(wanted)[0]!.changes.length, 1);
    assert.equal(changesOf(unwanted)[0]!.changes.length, 0);
    assert.deepEqual(changesOf(again), changesOf(wanted));
  });
});

test('a .j2 file is read again for each host: hosts share its diff while the search finds the same file and text', () => {
  inSetup({ 'x.j2': '{{ greeting }} one\n' }, (s) => {
    diffs = 0;
    const j2 = s.play({ path: '/etc/x.conf', template: 'x.j2' });
    const first = plan(s.env, j2, 'a', { greeting: 'hi' }, 'old\n');
    const same = plan(s.env, j2, 'b', { greeting: 'hi' }, 'old\n');
    assert.equal(diffs, 1);
    const other = plan(s.env, j2, 'c', { greeting: 'hello' }, 'old\n');
    assert.equal(diffs, 2, 'a variable the template reads is part of the key');
    writeFileSync(join(s.dir, 'x.j2'), '{{ greeting }} two\n');
    const edited = plan(s.env, j2, 'd', { greeting: 'hi' }, 'old\n');
    assert.equal(diffs, 3, 'an edited file is rendered again');
    // A file found earlier on the search path (the playbook's folder) wins, as it would unremembered.
    mkdirSync(join(s.dir, 'play'));
    writeFileSync(join(s.dir, 'play', 'x.j2'), '{{ greeting }} three\n');
    const found = plan(s.env, j2, 'e', { greeting: 'hi', playbook_dir: join(s.dir, 'play') }, 'old\n');
    const again = plan(s.env, j2, 'f', { greeting: 'hi' }, 'old\n');
    assert.equal(diffs, 4);
    rmSync(join(s.dir, 'x.j2'));
    const gone = plan(s.env, j2, 'g', { greeting: 'hi' }, 'old\n') as Problem[];
    assert.equal(diffs, 5, 'a file gone is looked up again and reported');
    assert.match(gone[0]!.message, /x\.j2/);
    assert.deepEqual(
      [first, same, other, edited, found, again].map((p) => changesOf(p)[0]!.changes[0]!.ops[0]),
      ['hi one\n', 'hi one\n', 'hello one\n', 'hi two\n', 'hi three\n', 'hi two\n'].map((content) => ({
        kind: 'put',
        path: '/etc/x.conf',
        content,
      })),
    );
  });
});

test('a lookup makes the diff again for every host', () => {
  inSetup({ 'y.hbs': '{{greeting}}\n' }, (s) => {
    const looked = s.play({ path: '/etc/y.conf', template: 'y.hbs' });
    diffs = 0;
    process.env.PSD_DIFF_MEMO_TEST = 'one';
    const one = plan(s.env, looked, 'a', { greeting: "{{ lookup('env', 'PSD_DIFF_MEMO_TEST') }}" }, 'old\n');
    process.env.PSD_DIFF_MEMO_TEST = 'two';
    const two = plan(s.env, looked, 'b', { greeting: "{{ lookup('env', 'PSD_DIFF_MEMO_TEST') }}" }, 'old\n');
    delete process.env.PSD_DIFF_MEMO_TEST;
    assert.equal(diffs, 2);
    assert.deepEqual(
      [one, two].map((p) => changesOf(p)[0]!.changes[0]!.ops[0]),
      ['one\n', 'two\n'].map((content) => ({ kind: 'put', path: '/etc/y.conf', content })),
    );
  });
});
