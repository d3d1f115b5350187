import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgsMemo } from '../../../src/plan/args-memo.js';
import { renderArgs } from '../../../src/render/args.js';
import { markUnsafe } from '../../../src/raw-data.js';
import { posAtPath, recordPos } from '../../../src/source-map.js';
import type { Task, Vars } from '../../../src/playbook/types.js';
import type { Module } from '../../../src/module.js';
import type { PlanEnv } from '../../../src/plan/types.js';
import { prepareHost } from '../../../src/plan/prepare.js';
import { testPlay } from '../../helpers/play.js';

function task(args: Vars): Task {
  return { name: 'tune', module: 'conf', args, tags: [], notify: [], listen: [], pos: { file: 'site.yaml', line: 5, col: 7 } };
}

/** Fills `opts.mode` when missing, as the ajv validator fills a schema's default in place. */
function withDefaults(args: Vars): boolean {
  const opts = args.opts as Vars | undefined;
  if (opts && opts.mode === undefined) opts.mode = '0644';
  return typeof args.path === 'string';
}

/** The memo's args for one host, counting the renders it made. */
function planner(t: Task, validate: (args: Vars) => boolean = withDefaults) {
  const memo = new ArgsMemo();
  let renders = 0;
  let validations = 0;
  const argsFor = (vars: Vars) =>
    memo.args(
      t,
      vars,
      () => (renders++, renderArgs(t.args, vars, { task: t, host: String(vars.inventory_hostname) })),
      (a) => (validations++, validate(a)),
    );
  return { argsFor, renders: () => renders, validations: () => validations };
}

test('hosts differing only in a value a template reads get their own args; equal ones share one render', () => {
  const group = { nofile: 1024 };
  const t = task({ path: '/etc/{{ inventory_hostname }}.conf', limit: '{{ limits.nofile }}', opts: { owner: 'root' } });
  const p = planner(t);
  const a = p.argsFor({ inventory_hostname: 'leaf1', limits: group, unrelated: 1 });
  const b = p.argsFor({ inventory_hostname: 'leaf2', limits: group, unrelated: 1 });
  const a2 = p.argsFor({ inventory_hostname: 'leaf1', limits: group, unrelated: 2 });
  assert.equal(a.path, '/etc/leaf1.conf');
  assert.equal(b.path, '/etc/leaf2.conf');
  assert.equal(a2.path, '/etc/leaf1.conf');
  assert.equal(p.renders(), 2, 'a value no template reads is not part of the key');
  // Another object with the same content is another key: its positions may differ.
  const c = p.argsFor({ inventory_hostname: 'leaf1', limits: { nofile: 2048 }, unrelated: 1 });
  assert.equal(c.limit, 2048);
  assert.equal(p.renders(), 3);
});

test('a value read through another variable, or through hostvars, is part of the key', () => {
  const hostvars = { leaf1: { port: 1 }, leaf2: { port: 2 } };
  const t = task({ path: '{{ dir }}', port: '{{ hostvars[inventory_hostname].port }}' });
  const p = planner(t);
  const base = { hostvars, root: '/etc', dir: '{{ root }}/x' };
  assert.deepEqual(p.argsFor({ ...base, inventory_hostname: 'leaf1' }), { path: '/etc/x', port: 1 });
  assert.deepEqual(p.argsFor({ ...base, inventory_hostname: 'leaf2' }), { path: '/etc/x', port: 2 });
  assert.deepEqual(p.argsFor({ ...base, root: '/usr', inventory_hostname: 'leaf2' }), { path: '/usr/x', port: 2 });
  assert.equal(p.renders(), 3);
});

test('a missing variable and a present one are different keys; a default the validator fills does not leak between hosts', () => {
  const t = task({ path: '/etc/x', opts: { mode: '{{ mode | default(omit) }}', owner: 'root' } });
  const p = planner(t);
  const withMode = p.argsFor({ mode: '0600' });
  const without = p.argsFor({});
  const withModeAgain = p.argsFor({ mode: '0600' });
  const withoutAgain = p.argsFor({});
  assert.deepEqual(withMode.opts, { mode: '0600', owner: 'root' });
  assert.deepEqual(without.opts, { mode: '0644', owner: 'root' });
  assert.deepEqual(withModeAgain.opts, { mode: '0600', owner: 'root' });
  assert.deepEqual(withoutAgain.opts, { mode: '0644', owner: 'root' });
  assert.equal(p.validations(), 2, 'validated once per distinct input');
  // The task's own args are never filled in.
  assert.deepEqual(t.args.opts, { mode: '{{ mode | default(omit) }}', owner: 'root' });
});

test("shared args are frozen copies: no host changes another host's args or the variables they came from", () => {
  const settings = { 'vm.swappiness': 10 };
  recordPos(settings, 'vm.swappiness', { file: 'group_vars/leaf.yaml', line: 3, col: 3 });
  const t = task({ path: '/etc/x', settings: '{{ settings }}' });
  const p = planner(t);
  const a = p.argsFor({ settings });
  const b = p.argsFor({ settings });
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.settings));
  assert.throws(() => {
    (a.settings as Vars)['vm.swappiness'] = 60;
  }, TypeError);
  assert.notEqual(a.settings, settings, 'the variable itself is not frozen');
  assert.ok(!Object.isFrozen(settings));
  assert.equal(posAtPath(b, ['settings', 'vm.swappiness'])!.file, 'group_vars/leaf.yaml');
});

test('invalid args are validated again for every host, and are not shared', () => {
  const t = task({ path: '{{ p }}' });
  const p = planner(t);
  const a = p.argsFor({ p: 5 });
  const b = p.argsFor({ p: 5 });
  assert.equal(p.renders(), 2);
  assert.equal(p.validations(), 2);
  assert.notEqual(a, b);
});

test('an !unsafe value is another key than the same text to render', () => {
  const t = task({ path: '{{ text }}' });
  const p = planner(t);
  const unsafe: Vars = { text: '{{ x }}', x: '/rendered' };
  markUnsafe(unsafe, 'text');
  assert.equal(p.argsFor(unsafe).path, '{{ x }}');
  assert.equal(p.argsFor({ text: '{{ x }}', x: '/rendered' }).path, '/rendered');
});

test('numbers and strings that print alike, and values that run together, are different keys', () => {
  const t = task({ path: '/{{ a }}{{ b }}', kind: '{{ a is string }}' });
  const p = planner(t);
  assert.deepEqual(p.argsFor({ a: '1', b: '2' }), { path: '/12', kind: true });
  assert.deepEqual(p.argsFor({ a: 1, b: '2' }), { path: '/12', kind: false });
  assert.deepEqual(p.argsFor({ a: '1s2', b: '' }), { path: '/1s2', kind: true });
  assert.deepEqual(p.argsFor({ a: '1', b: '2s' }), { path: '/12s', kind: true });
  assert.equal(p.renders(), 4);
});

test("a Jinja loop variable is the render's own; the list it loops over is keyed", () => {
  const t = task({ path: '/x', body: '{% for i in items %}{{ i }};{% endfor %}' });
  const p = planner(t);
  assert.equal(p.argsFor({ items: ['a', 'b'], i: 'unused' }).body, 'a;b;');
  assert.equal(p.argsFor({ items: ['c'], i: 'unused' }).body, 'c;');
});

test('a render that makes a lookup is not remembered', () => {
  const t = task({ path: "{{ lookup('env', 'HOME') }}" });
  const p = planner(t);
  p.argsFor({});
  p.argsFor({});
  assert.equal(p.renders(), 2);
});

test("prepareHost with the engine's renderer: each host gets args for its own values, a default filled for one stays its own", () => {
  let validations = 0;
  const conf: Module = { name: 'conf', schema: {}, needs: (a) => [{ kind: 'file', path: String(a.path) }], diff: () => [] };
  const env: PlanEnv = {
    registry: {
      get: (n) => (n === 'conf' ? conf : undefined),
      validateArgs: (_n, a) => (validations++, withDefaults(a) ? [] : [{ message: 'path must be a string' }]),
      handlers: () => new Map(),
    },
    renderArgs,
    renderTemplate: () => '',
    evalWhen: () => true,
    check: true,
    tags: { only: [], skip: [] },
  };
  const p = testPlay({ gatherFacts: false, tasks: [task({ path: '/etc/{{ name }}.conf', opts: { mode: '{{ mode | default(omit) }}' } })] });
  const hosts = [{ name: 'a', mode: '0600' }, { name: 'b' }, { name: 'a', mode: '0600' }, { name: 'c' }].map((v) =>
    prepareHost(p, v.name, v, env, true),
  );
  assert.deepEqual(
    hosts.map((h) => [h.tasks[0]!.args, h.queries]),
    [
      [{ path: '/etc/a.conf', opts: { mode: '0600' } }, [{ kind: 'file', path: '/etc/a.conf' }]],
      [{ path: '/etc/b.conf', opts: { mode: '0644' } }, [{ kind: 'file', path: '/etc/b.conf' }]],
      [{ path: '/etc/a.conf', opts: { mode: '0600' } }, [{ kind: 'file', path: '/etc/a.conf' }]],
      [{ path: '/etc/c.conf', opts: { mode: '0644' } }, [{ kind: 'file', path: '/etc/c.conf' }]],
    ],
  );
  assert.equal(validations, 3, 'the repeated host is validated once');
});
