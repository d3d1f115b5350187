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
