import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderString, renderValue } from '../../../src/render/expr-template.js';
import { renderTemplateFile } from '../../../src/render/template.js';
import { renderArgs } from '../../../src/render/args.js';
import { evalWhen } from '../../../src/playbook/when.js';
import { markRaw } from '../../../src/raw-data.js';
import { parseYaml } from '../../../src/validate/yaml-source.js';
import { withVars } from '../../../src/vars/merge.js';
import { ValidationError } from '../../../src/errors.js';
import type { Task } from '../../../src/playbook/types.js';

const vars = {
  inventory_hostname: 'leaf01.dc1',
  inventory_hostname_short: 'leaf01',
  group_names: ['leaf'],
  groups: { all: ['leaf01.dc1', 'spine01'], leaf: ['leaf01.dc1'] },
  hostvars: { spine01: { asn: 65001 }, 'leaf01.dc1': { asn: 65101 } },
  sysctl: { 'net.core.somaxconn': 8192, 'vm.swappiness': 10 },
  ports: [
    { name: 'Ethernet0', up: true, mtu: 9100 },
    { name: 'Ethernet4', up: false, mtu: 1500 },
  ],
  csv: 'a,b,b,c',
  flag: 'yes',
  n: '42',
};

const r = (s: string, v: Record<string, unknown> = vars) => renderString(s, v);

test('the Ansible filters operators use', () => {
  assert.deepEqual(r('{{ sysctl | dict2items }}'), [
    { key: 'net.core.somaxconn', value: 8192 },
    { key: 'vm.swappiness', value: 10 },
  ]);
  assert.deepEqual(r('{{ sysctl | dict2items | items2dict }}'), vars.sysctl);
  assert.deepEqual(r("{{ ports | map(attribute='name') | list }}"), ['Ethernet0', 'Ethernet4']);
  assert.deepEqual(r("{{ ports | selectattr('up') | map(attribute='name') | join(',') }}"), 'Ethernet0');
  assert.deepEqual(r("{{ ports | selectattr('mtu', 'equalto', 1500) | map(attribute='name') | first }}"), 'Ethernet4');
  assert.deepEqual(r("{{ ports | rejectattr('up') | length }}"), 1);
  assert.deepEqual(r("{{ csv | split(',') | unique | sort(reverse=true) }}"), ['c', 'b', 'a']);
  assert.deepEqual(r("{{ ['3', '1'] | map('int') | select('odd') | list }}"), [3, 1]);
  assert.equal(r("{{ 'Ethernet12' | regex_replace('^Ethernet(\\\\d+)$', 'eth\\\\1') }}"), 'eth12');
  assert.equal(r("{{ 'mtu 9100 up' | regex_search('\\\\d+') }}"), '9100');
  assert.equal(r("{{ 'abc' | regex_search('x') }}"), null);
  assert.equal(r('{{ flag | bool }}'), true);
  assert.equal(r('{{ n | int + 1 }}'), 43);
  assert.equal(r("{{ 'x' | int }}"), 0);
  assert.equal(r('{{ missing | default(5) }}'), 5);
  // As Python's json.dumps writes it (Ansible's to_json): ", " and ": " between items, non-ASCII escaped.
  assert.equal(r('{{ sysctl | to_json }}'), '{"net.core.somaxconn": 8192, "vm.swappiness": 10}');
  assert.equal(r("{{ ['é', [1, 2]] | to_json }}"), '["\\u00e9", [1, 2]]');
  assert.equal(r("{{ {'b': 1, 'a': [1]} | to_nice_json }}"), '{\n    "a": [\n        1\n    ],\n    "b": 1\n}');
  assert.equal(r("{{ {'a': 1} | to_yaml }}"), 'a: 1\n');
  assert.equal(r("{{ 'portsync' | b64encode }}"), 'cG9ydHN5bmM=');
  assert.equal(r("{{ 'cG9ydHN5bmM=' | b64decode }}"), 'portsync');
});

test('magic variables, inline if, range, Python methods and tests', () => {
  assert.equal(r('{{ hostvars[groups.all[1]].asn }}'), 65001);
  assert.equal(r("{{ 'leaf' in group_names }}"), true);
  assert.equal(r('{{ inventory_hostname_short }}-{{ hostvars[inventory_hostname].asn }}'), 'leaf01-65101');
  assert.equal(r("{{ 'big' if sysctl['net.core.somaxconn'] > 4096 else 'small' }}"), 'big');
  assert.equal(r("{{ 'x' if false }}"), null);
  assert.deepEqual(r('{{ range(3) }}'), [0, 1, 2]);
  assert.deepEqual(r('{{ range(1, 10, 4) | list }}'), [1, 5, 9]);
  assert.throws(() => r('{{ range(10000000) }}'), /over the limit/);
  assert.deepEqual(r('{{ sysctl.keys() | list }}'), ['net.core.somaxconn', 'vm.swappiness']);
  assert.equal(r("{{ 'a b'.split() | length }}"), 2);
  assert.equal(evalWhen('result is changed and result.rc == 0', { result: { changed: true, rc: 0 } }), true);
  assert.equal(evalWhen('result is failed', { result: { changed: false, failed: true } }), true);
  assert.equal(evalWhen('result is not failed', { result: { changed: false } }), true);
  assert.equal(evalWhen("'Ethernet0' is match('Eth')", {}), true);
  assert.equal(evalWhen('nope is defined', {}), false);
});

test('lookup env, file and template from the playbook folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookup-'));
  mkdirSync(join(dir, 'files'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'files', 'motd'), 'hello\n');
  writeFileSync(join(dir, 'templates', 'greet.j2'), 'hi {{ inventory_hostname_short }}\n');
  const v = { ...vars, playbook_dir: dir };
  process.env.PSD_TEST_LOOKUP = 'from-env';
  assert.equal(r("{{ lookup('env', 'PSD_TEST_LOOKUP') }}", v), 'from-env');
  assert.equal(r("{{ lookup('file', 'motd') }}", v), 'hello');
  assert.equal(r("{{ lookup('template', 'greet.j2') }}", v), 'hi leaf01\n');
  assert.throws(() => r("{{ lookup('file', 'nope') }}", v), /lookup\('file'\): no such file: nope \(looked in: .*\/files, /);
  assert.throws(() => r("{{ lookup('pipe', 'id') }}", v), /unknown lookup "pipe"/);
});

test('nothing reaches JavaScript: constructor and __proto__ escapes fail', () => {
  const attempts = [
    "{{ range.constructor('return process')() }}",
    "{{ ''.constructor.constructor('return process')() }}",
    '{{ constructor }}',
    '{{ sysctl.constructor }}',
    '{{ sysctl.__proto__ }}',
    "{{ sysctl['__proto__'] }}",
    "{{ ports.map('x') }}",
    "{{ lookup.constructor('return 1')() }}",
    '{{ (ports | first).constructor.name }}',
    "{{ sysctl | attr('constructor') }}",
  ];
  for (const a of attempts) {
    assert.throws(
      () => r(a),
      (e: Error) => !/process|function|native code/i.test(String(r)) && /undefined variable|unknown|unexpected/.test(e.message),
      a,
    );
  }
  assert.equal(evalWhen('sysctl.constructor is defined', vars), false);
  assert.equal(evalWhen("'__proto__' in sysctl", vars), false);
});

test('data from the switch and !unsafe values are never templated; inventory and playbook vars are', () => {
  const facts = markRaw({ hostname: '{{ secret }}', lines: ['{{ secret }}'] });
  const v = { secret: 'LEAKED', facts, echo: '{{ secret }}' };
  assert.equal(r('{{ facts.hostname }}', v), '{{ secret }}');
  assert.equal(r('name={{ facts.hostname }}', v), 'name={{ secret }}');
  assert.deepEqual(r('{{ facts.lines }}', v), ['{{ secret }}']);
  assert.deepEqual(r('{{ facts.lines | map("upper") | list }}', v), ['{{ SECRET }}']);
  assert.equal(r('{{ echo }}', v), 'LEAKED');
  assert.equal(evalWhen("facts.hostname == '{{ secret }}'", v), true);

  const { value } = parseYaml(
    'secret: LEAKED\nliteral: !unsafe "{{ secret }}"\nuses: "{{ literal }}-{{ secret }}"\nbag: !unsafe\n  k: "{{ secret }}"\n',
    'vars.yaml',
  );
  const merged = withVars({}, value as Record<string, unknown>);
  assert.equal(r('{{ literal }}', merged), '{{ secret }}');
  assert.equal(r('{{ uses }}', merged), '{{ secret }}-LEAKED');
  assert.deepEqual(renderValue(merged.bag, merged), { k: '{{ secret }}' });
  const task = { name: 't', module: 'copy', args: {}, tags: [], notify: [], listen: [], pos: { file: 'p.yaml', line: 1, col: 1 } } as Task;
  const args = parseYaml('content: !unsafe "{{ secret }}"\ndest: "/etc/{{ secret }}"\n', 'p.yaml').value as Record<string, unknown>;
  assert.deepEqual(renderArgs(args, merged, { task, host: 'h' }), { content: '{{ secret }}', dest: '/etc/LEAKED' });
});

test('.j2 files: statements, whitespace control, Python printing, trailing newline; errors at file:line:col', () => {
  const dir = mkdtempSync(join(tmpdir(), 'j2-'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(
    join(dir, 'templates', 'conf.j2'),
    [
      '# {{ inventory_hostname }}',
      '{% for key, value in sysctl.items() %}',
      '{{ key }} = {{ value }}',
      '{% endfor %}',
      '{% set up = ports | selectattr("up") | list %}',
      '{# a comment #}',
      '{% if up | length > 1 %}',
      'many',
      '{% elif up %}',
      'one: {{ up[0].name }} {{ loop_free | default(true) }} {{ [1, "a"] }} {{ none }}',
      '{% else %}',
      'none',
      '{% endif %}',
      '{%- for p in ports %} {{ loop.index }}/{{ loop.length }}:{{ p.name }}{% endfor %}',
      '{% raw %}{{ kept }}{% endraw %}',
      '',
    ].join('\n'),
  );
  const out = renderTemplateFile(dir, 'conf.j2', { ...vars, playbook_dir: dir });
  assert.equal(
    out,
    // trim_blocks eats the newline after "{% endfor %}", as in Ansible.
    "# leaf01.dc1\nnet.core.somaxconn = 8192\nvm.swappiness = 10\none: Ethernet0 True [1, 'a'] None\n 1/2:Ethernet0 2/2:Ethernet4{{ kept }}\n",
  );
  writeFileSync(join(dir, 'templates', 'bad.j2'), 'a\nb {{ ok }}\n  x={{ sysctl.nope }}\n');
  try {
    renderTemplateFile(dir, 'bad.j2', { ...vars, ok: 1, playbook_dir: dir });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    const p = e.problems[0];
    assert.match(p.message, /undefined variable "sysctl.nope"/);
    assert.deepEqual([p.pos!.file, p.pos!.line, p.pos!.col], [join(dir, 'templates', 'bad.j2'), 3, 14]);
  }
  writeFileSync(join(dir, 'templates', 'unclosed.j2'), 'x\n{% if a %}\n');
  assert.throws(() => renderTemplateFile(dir, 'unclosed.j2', { a: 1, playbook_dir: dir }), /missing "\{% endif %\}"/);
  writeFileSync(join(dir, 'templates', 'macro.j2'), '{% macro m() %}{% endmacro %}');
  assert.throws(() => renderTemplateFile(dir, 'macro.j2', { playbook_dir: dir }), /"\{% macro %\}" is not supported/);
});
