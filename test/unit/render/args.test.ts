import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgs } from '../../../src/render/template.js';
import { ValidationError } from '../../../src/errors.js';
import { posAtPath, recordOwnPos, recordPos } from '../../../src/source-map.js';
import type { Task } from '../../../src/playbook/types.js';

function task(args: Record<string, unknown>): Task {
  return { name: 'tune', module: 'sysctl', args, tags: [], notify: [], listen: [], pos: { file: 'site.yaml', line: 5, col: 7 } };
}

test('a lone expression yields the value itself, keeping identity and positions', () => {
  const settings = { 'net.core.somaxconn': 4096 };
  recordPos(settings, 'net.core.somaxconn', { file: 'group_vars/all.yaml', line: 2, col: 3 });
  const args = { settings: '{{ sysctl_settings }}', file: '/etc/sysctl.d/{{ prefix }}-x.conf', keep: 1 };
  const out = renderArgs(args, { sysctl_settings: settings, prefix: 50 }, { task: task(args), host: 'leaf01' });
  assert.equal(out.settings, settings);
  assert.equal(out.file, '/etc/sysctl.d/50-x.conf');
  assert.equal(out.keep, 1);
  assert.notEqual(out, args);
  assert.equal(posAtPath(out, ['settings', 'net.core.somaxconn'])!.file, 'group_vars/all.yaml');
  assert.equal(args.settings, '{{ sysctl_settings }}');
});

test('nested strings render; untouched subtrees are shared; positions copy to rendered copies', () => {
  const inner = { a: 1 };
  const list = ['x', '{{ n + 1 }}'];
  recordPos(list, 1, { file: 'site.yaml', line: 8, col: 9 });
  const args = { inner, list };
  const out = renderArgs(args, { n: 1 }, { task: task(args), host: 'h' });
  assert.equal(out.inner, inner);
  assert.deepEqual(out.list, ['x', 2]);
  assert.equal(posAtPath(out, ['list', 1])!.line, 8);
});

test('vars that hold templates resolve lazily, inside mappings too; loops are caught', () => {
  const vars = { port: 6379, url: 'redis://127.0.0.1:{{ port }}', cfg: { url: '{{ url }}' }, a: '{{ b }}', b: '{{ a }}' };
  const args = { url: '{{ url }}', cfg: '{{ cfg }}' };
  const out = renderArgs(args, vars, { task: task(args), host: 'h' });
  assert.equal(out.url, 'redis://127.0.0.1:6379');
  assert.deepEqual(out.cfg, { url: 'redis://127.0.0.1:6379' });
  assert.throws(() => renderArgs({ x: '{{ a }}' }, vars, { task: task({}), host: 'h' }), /refer to each other in a loop/);
});

test('undefined variables are reported per arg, with file:line, host, task and a hint', () => {
  const args = { settings: { 'vm.swappiness': '{{ swapines }}' }, file: '{{ nope }}.conf' };
  recordOwnPos(args, { file: 'site.yaml', line: 6, col: 9 });
  recordPos(args, 'file', { file: 'site.yaml', line: 9, col: 9 });
  recordPos(args.settings, 'vm.swappiness', { file: 'site.yaml', line: 8, col: 11 });
  try {
    renderArgs(args, { swappiness: 10 }, { task: task(args), host: 'leaf01' });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.equal(e.problems.length, 2);
    const [p, q] = e.problems;
    assert.match(p.message, /undefined variable "swapines"/);
    assert.deepEqual([p.pos!.line, p.pos!.col, p.host, p.task, p.path], [8, 11, 'leaf01', 'tune', 'sysctl.settings["vm.swappiness"]']);
    assert.match(p.hint!, /default/);
    assert.equal(q.pos!.line, 9);
    assert.match(e.message, /site\.yaml:8:11 host leaf01, task "tune"/);
  }
});

test('filters work in args', () => {
  const args = { cpus: '{{ facts.cpusOnline | join(",") }}', n: '{{ missing | default(4) }}' };
  const out = renderArgs(args, { facts: { cpusOnline: [0, 2] } }, { task: task(args), host: 'h' });
  assert.deepEqual(out, { cpus: '0,2', n: 4 });
});

test('text around an expression, even a final newline, makes a string: "{{ port }}\\n" is "8080\\n"', () => {
  const args = { port: '{{ port }}\n', motd: '{{ motd }}\n', spaced: ' {{ port }}', whole: '{{ port }}' };
  const out = renderArgs(args, { port: 8080, motd: 'hello' }, { task: task(args), host: 'h' });
  assert.equal(out.port, '8080\n');
  assert.equal(out.motd, 'hello\n');
  assert.equal(out.spaced, ' 8080');
  assert.equal(out.whole, 8080);
});

/** The one problem renderArgs reports for `args` over `vars`. */
function renderProblem(args: Record<string, unknown>, vars: Record<string, unknown>) {
  try {
    renderArgs(args, vars, { task: task(args), host: 'h' });
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    return e.problems[0];
  }
  assert.fail('expected a problem');
}

test('a tenfold variable fan-out over 8 levels stops at the render budget, located at the arg', () => {
  const vars: Record<string, unknown> = { v0: 'xxxxxxxxxx' };
  for (let i = 1; i <= 8; i++) vars[`v${i}`] = `{{ v${i - 1} }}`.repeat(10);
  const args = { content: '{{ v8 }}' };
  recordPos(args, 'content', { file: 'site.yaml', line: 9, col: 18 });
  const p = renderProblem(args, vars);
  assert.match(p.message, /over the limit of \d+ (characters|steps)/);
  assert.equal(p.pos!.line, 9);
  assert.match(p.hint!, /Hostile and careless input/);
});

test('lists that multiply through variables stop at the render budget', () => {
  const vars: Record<string, unknown> = { l0: '{{ range(1000) | list }}' };
  for (let i = 1; i <= 8; i++)
    vars[`l${i}`] = `{{ ${Array(5)
      .fill(`l${i - 1}`)
      .join(' + ')} }}`;
  assert.match(renderProblem({ n: '{{ l8 | length }}' }, vars).message, /over the limit of \d+ characters \(a list item counts as 8\)/);
});

test('loops inside loops stop at the render budget', () => {
  const p = renderProblem({ c: '{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}' }, {});
  assert.match(p.message, /over the limit of \d+ steps/);
});

test('a loop sees the variables of the frames around it, and a loop variable is never templated again', () => {
  const args = {
    c: "{% set x = '{{ no }}' %}{% for i in items %}{{ i }}{{ sep }}{% for j in [1] %}{{ x }}{{ i }}{{ j }}{% endfor %}{% endfor %}",
  };
  const out = renderArgs(args, { items: ['a', 'b'], sep: '{{ s }}', s: '/' }, { task: task(args), host: 'h' });
  assert.equal(out.c, 'a/{{ no }}a1b/{{ no }}b1');
});

test('an arg that renders to omit is left out, nested ones too; a variable named omit wins', () => {
  const args = { dest: '/x', validate: "{{ tool ~ ' check %s' if tool else omit }}", meta: { mode: '{{ omit }}', owner: 'root' } };
  const without = renderArgs(args, { tool: '' }, { task: task(args), host: 'h' });
  assert.deepEqual(without, { dest: '/x', meta: { owner: 'root' } });
  assert.equal('validate' in without, false);
  const withTool = renderArgs(args, { tool: 'promtool' }, { task: task(args), host: 'h' });
  assert.equal(withTool.validate, 'promtool check %s');
  assert.deepEqual(renderArgs({ v: '{{ omit }}' }, { omit: 3 }, { task: task({}), host: 'h' }), { v: 3 });
});
