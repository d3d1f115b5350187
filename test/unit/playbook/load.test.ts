import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { ValidationError, type Problem } from '../../../src/errors.js';
import { posOf } from '../../../src/source-map.js';
import { fixture } from '../inventory/fixture-path.js';
import { tempRegistry } from './temp-registry.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { selectHosts } from '../../../src/inventory/patterns.js';
import { hostVars, loadPlayVarsFiles } from '../../../src/vars/precedence.js';
import { renderArgs } from '../../../src/render/template.js';

const { registry, cleanup } = await tempRegistry();
test.after(cleanup);

const dirs: string[] = [];
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true })));

function playbookFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, Object.keys(files)[0]);
}

function problems(file: string): Problem[] {
  try {
    loadPlaybook(file, registry);
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    return e.problems;
  }
  assert.fail('expected a ValidationError');
}

test('loads plays from imports in order, with normalised fields and positions', () => {
  const plays = loadPlaybook(fixture('good', 'playbooks', 'site.yaml'), registry);
  assert.deepEqual(
    plays.map((p) => p.name),
    ['kernel settings', 'notes'],
  );
  const [kv, notes] = plays;
  assert.equal(kv.hosts, 'leaf:!leaf03');
  assert.deepEqual(kv.varsFiles, ['../profiles/{{ tuning_profile }}.yaml']);
  assert.match(kv.pos.file, /parts\/kv\.yaml$/);
  const t = kv.tasks[0];
  assert.deepEqual([t.name, t.module, t.notify, t.tags], ['write settings', 'kv', ['apply kv', 'kv reload'], ['kv']]);
  assert.deepEqual(
    t.args,
    { file: '{{ kv_file }}', settings: '{{ sysctl_settings }}' },
    'load-time checks do not fill defaults into the args',
  );
  assert.equal(posOf(t.args, 'settings')!.line, 11);
  assert.deepEqual(kv.handlers[0].listen, ['kv changed']);
  assert.equal(notes.hosts, 'spine,leaf04');
  assert.deepEqual(notes.serial, [1, '50%']);
  assert.equal(notes.maxFailPercentage, 25);
  assert.equal(notes.anyErrorsFatal, true);
  assert.deepEqual(notes.tags, ['notes', 'docs']);
  assert.deepEqual(notes.tasks[0].when, ['tuning_profile is defined', "'leaf' in group_names"]);
  assert.equal(notes.tasks[0].name, 'note');
  assert.equal(posOf(notes, 'hosts')!.line, 4);
});

test('the good fixture resolves end to end: hosts, vars_files beside the imported part, rendered args', () => {
  const inv = loadInventory(fixture('good', 'dc-small'));
  const [kv] = loadPlaybook(fixture('good', 'playbooks', 'site.yaml'), registry);
  const hosts = selectHosts(inv, kv.hosts, posOf(kv, 'hosts'));
  assert.deepEqual(hosts, ['leaf01', 'leaf02', 'leaf04']);
  const base = hostVars(inv, 'leaf01', { play: kv });
  const files = loadPlayVarsFiles(kv, fixture('good', 'playbooks'), base);
  assert.equal(files[0].profile_note, 'balanced profile');
  const vars = hostVars(inv, 'leaf01', { play: kv, playVarsFiles: files });
  const args = renderArgs(kv.tasks[0].args, vars, { task: kv.tasks[0], host: 'leaf01' });
  assert.deepEqual(args, { file: '/etc/kv.d/50.conf', settings: { 'net.ipv4.tcp_fastopen': 3 } });
  assert.deepEqual(registry.validateArgs('kv', args, kv.tasks[0].args), []);
  assert.equal((args as Record<string, unknown>).state, 'present', 'validateArgs fills defaults');
});

test('every problem of a playbook is reported, each with file:line:col, path and hint', () => {
  const file = playbookFiles({
    'site.yaml': [
      '- hosts: all', //                       1
      '  serail: 2', //                        2 unknown play key
      '  serial: many', //                     3 wrong type
      '  tasks:', //                           4
      '    - name: one', //                    5
      '      kb: { settings: {} }', //         6 unknown module
      '    - name: two', //                    7
      '      kv: { settings: {}, state: on }', // 8 enum (YAML 1.1 on → true)
      '      notify: restart kv', //           9 unknown handler
      '      until: done', //                  10 refused task keyword
      '    - note: { text: 1 }', //            11 wrong arg type
      '      when: "a ==" ', //                12 when syntax
      '    - note: {}', //                     13
      '      kv: { settings: {} }', //         14 two modules
      '',
    ].join('\n'),
  });
  const ps = problems(file);
  const summary = ps.map((p) => `${p.pos?.line}:${p.pos?.col} ${p.message}`);
  const expect: [number, RegExp][] = [
    [2, /unknown key "serail"/],
    [3, /value "many" is not allowed/],
    [6, /unknown module "kb"/],
    [8, /expected one of "present", "absent", got true/],
    [10, /task keyword "until" is not supported: a task runs once/],
    [11, /expected string, got number/],
    [12, /when: expression ends too early/],
    [13, /exactly one module, but this one names 2: note, kv/],
    [9, /notify "restart kv": no handler/],
  ];
  for (const [line, re] of expect)
    assert.ok(
      ps.some((p) => p.pos?.line === line && re.test(p.message)),
      `missing line ${line} ${re}\n${summary.join('\n')}`,
    );
  assert.equal(ps.length, expect.length, summary.join('\n'));
  assert.ok(ps.every((p) => p.pos?.file === file && p.path));
  const kb = ps.find((p) => /"kb"/.test(p.message))!;
  assert.match(kb.hint!, /did you mean "kv"/);
  assert.equal(kb.path, 'plays[0].tasks[0].kb');
  const serail = ps.find((p) => /serail/.test(p.message))!;
  assert.match(serail.hint!, /"serial"/);
  assert.match(ps.find((p) => /"many"/.test(p.message))!.hint!, /serial is a batch size/);
  const notify = ps.find((p) => /notify/.test(p.message))!;
  assert.match(notify.hint!, /known handlers: kv reload/);
});

test('templated args are skipped at load time but literal ones around them are checked', () => {
  const file = playbookFiles({ 'p.yaml': '- hosts: all\n  tasks:\n    - kv: { settings: "{{ s }}", state: "{{ st }}", file: 3 }\n' });
  const ps = problems(file);
  assert.equal(ps.length, 1, ps.map((p) => p.message).join('\n'));
  assert.match(ps[0].message, /expected string, got number/);
  assert.equal(ps[0].path, 'plays[0].tasks[0].kv.file');
});

test('conditional schemas (if/then) report the nested error, and none for templated values', () => {
  const ok = playbookFiles({ 'p.yaml': '- hosts: all\n  tasks:\n    - pin: { cpus: "{{ c }}" }\n    - pin: { state: absent }\n' });
  assert.equal(loadPlaybook(ok, registry)[0].tasks.length, 2);
  const bad = problems(playbookFiles({ 'p.yaml': '- hosts: all\n  tasks:\n    - pin: { cpus: "a;b" }\n    - pin: {}\n' }));
  assert.deepEqual(
    bad.map((p) => [p.pos!.line, p.message]),
    [
      [3, 'value "a;b" is not allowed'],
      [4, 'missing required key "cpus"'],
    ],
  );
});

test('import loops, missing imports, non-list playbooks and malformed YAML', () => {
  const loop = playbookFiles({ 'a.yaml': '- import_playbook: b.yaml\n', 'b.yaml': '- import_playbook: a.yaml\n' });
  assert.match(problems(loop)[0].message, /import_playbook loop: .*a\.yaml → .*b\.yaml → .*a\.yaml/);
  const missing = playbookFiles({ 'a.yaml': '- hosts: all\n- import_playbook: parts/none.yaml\n' });
  const [m] = problems(missing);
  assert.equal(m.message, `no such file: ${join(dirname(missing), 'parts/none.yaml')} (looked in: ${dirname(missing)})`);
  assert.match(m.hint!, /relative to the playbook that imports it/);
  assert.deepEqual([m.pos!.file, m.pos!.line], [missing, 2]);
  assert.match(problems(playbookFiles({ 'a.yaml': 'hosts: all\n' }))[0].message, /a playbook is a list of plays, got a mapping/);
  const tab = problems(playbookFiles({ 'a.yaml': '- hosts: all\n  tasks:\n\t- note: {}\n' }))[0];
  assert.match(tab.message, /malformed YAML/);
  assert.equal(tab.pos!.line, 3);
  assert.match(tab.hint!, /spaces/);
  const dup = problems(playbookFiles({ 'a.yaml': '- hosts: all\n  hosts: leaf\n' }))[0];
  assert.match(dup.message, /duplicate key "hosts" \(first defined at .*:1:3\)/);
});

test('handlers: duplicate names and listen outside handlers are errors', () => {
  const file = playbookFiles({
    'a.yaml':
      '- hosts: all\n  tasks:\n    - note: {}\n      listen: x\n  handlers:\n    - name: h\n      note: {}\n    - name: h\n      note: {}\n',
  });
  const ps = problems(file);
  assert.ok(ps.some((p) => /"listen" is only for handlers/.test(p.message) && p.pos!.line === 4));
  assert.ok(ps.some((p) => /handler "h" is defined twice/.test(p.message) && p.pos!.line === 8));
});
