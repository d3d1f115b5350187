// Which fact sections a play gathers: exactly the ones its texts name, and every one as soon as a
// text could reach a fact by a name made while rendering.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factUseOfText, factUseOfWords } from '../../../src/plan/fact-names.js';
import { playFactSections } from '../../../src/plan/fact-references.js';
import { prepareHost } from '../../../src/plan/prepare.js';
import { renderArgs } from '../../../src/render/args.js';
import { SYSTEM_SECTIONS } from '../../../src/facts/system-facts.js';
import type { Module } from '../../../src/module.js';
import type { PlanEnv } from '../../../src/plan/types.js';
import type { Task, Vars } from '../../../src/playbook/types.js';
import { testPlay } from '../../helpers/play.js';

const sections = (text: string, evaluated = true) => {
  const use = factUseOfText(text, evaluated);
  return use.all ? 'all' : [...use.sections].sort();
};

test('a fact named in a template, a condition or ansible_facts gathers its sections only', () => {
  assert.deepEqual(sections('{{ ansible_memtotal_mb * 2 }}'), ['memory']);
  assert.deepEqual(sections("ansible_os_family == 'Debian'"), ['distribution']);
  assert.deepEqual(sections('{{ ansible_facts.processor_vcpus }}'), ['cpu', 'uname']);
  assert.deepEqual(sections("{{ ansible_facts['fqdn'] }}"), ['fqdn', 'uname']);
  assert.deepEqual(sections('{{ hostvars[inventory_hostname].ansible_facts.default_ipv4.address }}'), ['default_ipv4']);
  // Every branch counts, whatever the stand-ins would have chosen.
  assert.deepEqual(sections("{{ ansible_fqdn if ansible_os_family == 'RedHat' else ansible_interfaces }}"), [
    'distribution',
    'fqdn',
    'interfaces',
    'uname',
  ]);
  assert.deepEqual(sections('{% for i in ansible_interfaces %}{{ i }}{% endfor %}', false), ['interfaces']);
  // A host named by a fact: the fact is read.
  assert.deepEqual(sections('{{ hostvars[ansible_hostname].port }}'), ['uname']);
});

test('names that are not facts, another host by name, and lookups of files read no fact', () => {
  for (const text of [
    '{{ ansible_managed }}',
    'ansible_check_mode',
    '{{ hostvars[item].ansible_host }}',
    "{{ hostvars['leaf1']['ansible_port'] }}",
    "{{ lookup('file', 'motd') }}",
    "{{ lookup('env', 'HOME') }}",
    'Kernel parameters',
    '/etc/group_vars.d/x',
  ])
    assert.deepEqual(sections(text), [], text);
  // A template file's text is output: a string in it names nothing.
  assert.deepEqual(sections("# built by {{ 'ansible_' ~ 'x' }}\nansible_ rules", false), []);
});

test('a fact looked up by a name made while rendering gathers every section', () => {
  // Each of these a naive rule (the fact names spelled in the text) reads as no fact or as one.
  for (const text of [
    "{{ hostvars[inventory_hostname]['ansible_' ~ name] }}",
    '{{ hostvars[inventory_hostname][key] }}',
    '{{ hostvars[inventory_hostname] | to_json }}',
    '{{ hostvars | dict2items }}',
    '{{ ansible_facts[key] }}',
    "{{ ansible_facts['os_' ~ x] }}",
    '{{ ansible_facts | to_nice_json }}',
    "{{ ansible_facts.get('fqdn') }}",
    '{% for k, v in ansible_facts.items() %}{{ k }}{% endfor %}',
    '{% set f = ansible_facts %}{{ f.os_family }}',
    "{{ vars['ansible_' ~ name] }}",
    '{{ vars }}',
    "{{ lookup('vars', 'ansible_' ~ name) }}",
    "{{ lookup('vars', 'ansible_fqdn') }}",
    "{{ query('template', 'facts.j2') }}",
    "{{ lookup(plugin, 'x') }}",
    // Text a module evaluates as an expression (debug's var, assert's that).
    "{{ 'ansible_' ~ name }}",
    'ansible_{{ name }}',
    "{{ 'ansible_distribution' ~ '_version' }}",
    'ansible_kernel{{ suffix }}',
    "ansible_facts[name] == 'x'",
    "hostvars[inventory_hostname]['ansible_' ~ name]",
  ])
    assert.equal(sections(text), 'all', text);
});

test('a Handlebars template is read word by word: a name, or every section for a lookup', () => {
  assert.deepEqual([...factUseOfWords('{{ansible_memtotal_mb}} {{ansible_facts.os_family}}').sections].sort(), ['distribution', 'memory']);
  assert.equal(factUseOfWords('{{lookup this name}}').all, true);
  assert.equal(factUseOfWords('{{#each ansible_facts}}{{@key}}{{/each}}').all, true);
});

function tmp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-fact-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const task = (args: Vars, file: string, module = 'template'): Task => ({
  name: 't',
  module,
  args,
  tags: [],
  notify: [],
  listen: [],
  pos: { file, line: 1, col: 1 },
});

test("a play's templates are read where a task finds them, and one named while rendering may read any fact", (t) => {
  const dir = tmp(t);
  const site = join(dir, 'play', 'site.yml');
  mkdirSync(join(dir, 'play', 'templates'), { recursive: true });
  mkdirSync(join(dir, 'shared'));
  writeFileSync(join(dir, 'play', 'templates', 'env.j2'), 'W={{ ansible_processor_vcpus }}\n');
  writeFileSync(join(dir, 'shared', 'far.j2'), '{{ ansible_fqdn }}\n');
  const play = (args: Vars) => testPlay({ pos: { file: site, line: 1, col: 1 }, tasks: [task(args, site)] });
  const gathered = (args: Vars) => playFactSections(play(args), { templates_dir: join(dir, 'none') });
  assert.deepEqual(gathered({ src: 'env.j2', dest: '/x' }), ['uname', 'cpu']);
  // Outside the play's folders: read where the name leads.
  assert.deepEqual(gathered({ src: '../shared/far.j2', dest: '/x' }), ['uname', 'fqdn', 'cpu']);
  assert.deepEqual(gathered({ src: join(dir, 'shared', 'far.j2'), dest: '/x' }), ['uname', 'fqdn', 'cpu']);
  assert.deepEqual(gathered({ src: '{{ name }}.j2', dest: '/x' }), [...SYSTEM_SECTIONS]);
});

test('a rendered arg that names a fact (a name put together from variables) is gathered too', () => {
  const debug: Module = { name: 'debug', schema: {}, needs: () => [], diff: () => [] };
  const env: PlanEnv = {
    registry: { get: (n) => (n === 'debug' ? debug : undefined), validateArgs: () => [], handlers: () => new Map() },
    renderArgs,
    renderTemplate: () => '',
    evalWhen: () => true,
    check: true,
    tags: { only: [], skip: [] },
  };
  const file = '/nowhere/site.yml';
  const play = testPlay({
    tasks: [task({ msg: '{{ ansible_os_family }}' }, file, 'debug'), task({ var: '{{ first ~ second }}' }, file, 'debug')],
  });
  const prepared = prepareHost(play, 'h', { first: 'ansi', second: 'ble_fqdn' }, env, false);
  const asked = prepared.queries.flatMap((q) => (q.kind === 'system' ? (q.sections ?? ['all']) : []));
  assert.deepEqual([...new Set(asked)].sort(), ['distribution', 'fqdn', 'uname']);
});
