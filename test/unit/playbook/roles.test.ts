import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { ValidationError, type Problem } from '../../../src/errors.js';
import type { Play } from '../../../src/playbook/types.js';
import { tempRegistry } from './temp-registry.js';

const { registry, cleanup } = await tempRegistry();
test.after(cleanup);

const dirs: string[] = [];
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true })));

/** Files under a new folder; returns the folder. The playbook is site.yml. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'roles-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const load = (dir: string, rolesPath: string[] = []): Play[] => loadPlaybook(join(dir, 'site.yml'), registry, { rolesPath, home: dir });

function problems(dir: string, rolesPath: string[] = []): Problem[] {
  try {
    load(dir, rolesPath);
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    return e.problems;
  }
  assert.fail('expected a ValidationError');
}

const note = (text: string) => `- name: ${text}\n  note: {text: ${text}}\n`;

test('roles: dependencies first, each use once per parameters, role tasks before the play tasks, role handlers before the play handlers', () => {
  const dir = tree({
    'site.yml': [
      '- hosts: all',
      '  roles:',
      '    - web',
      '    - {role: web, port: 2}',
      '    - web',
      '  tasks:',
      '    - {name: own, note: {text: own}}',
      '  handlers:',
      '    - {name: play handler, note: {text: h}}',
    ].join('\n'),
    'roles/web/meta/main.yml': 'dependencies: [base]\n',
    'roles/web/tasks/main.yml': note('configure') + '  notify: reload\n',
    'roles/web/handlers/main.yml': note('reload'),
    'roles/web/defaults/main.yml': 'port: 1\n',
    'roles/base/tasks/main.yml': note('base'),
  });
  const [play] = load(dir);
  assert.deepEqual(
    play.tasks.map((t) => [t.name, t.role]),
    [
      ['base : base', 0],
      ['web : configure', 1],
      ['web : configure', 2],
      ['own', undefined],
    ],
  );
  assert.deepEqual(
    play.roles!.map((r) => [r.name, r.params, r.defaults, !!r.dependency]),
    [
      ['base', {}, {}, true],
      ['web', {}, { port: 1 }, false],
      ['web', { port: 2 }, { port: 1 }, false],
    ],
  );
  assert.deepEqual(
    play.handlers.map((h) => [h.name, h.listen, h.role]),
    [
      ['reload', ['web : reload'], 1],
      ['play handler', [], undefined],
    ],
  );
  assert.match(play.tasks[1].pos.file, /roles\/web\/tasks\/main\.yml$/);
});

test('roles: found in roles/ beside the playbook before roles_path, then beside the playbook; import_role with tasks_from, when and tags', () => {
  const dir = tree({
    'site.yml': [
      '- hosts: all',
      '  roles: [db]',
      '  tasks:',
      '    - import_role: {name: side, tasks_from: extra}',
      '      when: go',
      '      tags: t1',
      '      vars: {x: 1}',
    ].join('\n'),
    'roles/db/tasks/main.yml': note('near'),
    'path/db/tasks/main.yml': note('far'),
    'side/tasks/extra.yml': note('extra') + '  when: other\n',
  });
  const [play] = load(dir, [join(dir, 'path')]);
  assert.deepEqual(
    play.tasks.map((t) => [t.name, t.when, t.tags]),
    [
      ['db : near', undefined, []],
      ['side : extra', ['other', 'go'], ['t1']],
    ],
  );
  assert.deepEqual(play.roles![1].vars, { x: 1 });
  assert.equal(play.roles![0].path, join(dir, 'roles/db'));
});

test('roles: a missing role is located at its name and lists every folder searched', () => {
  const dir = tree({ 'site.yml': '- hosts: all\n  roles:\n    - role: nope\n' });
  const [p] = problems(dir, [join(dir, 'p1')]);
  assert.match(p.message, /role "nope" not found; looked in .*roles\/nope, .*p1\/nope, .*\/nope/);
  assert.deepEqual([p.pos?.line, p.pos?.col], [3, 7]);
  assert.match(p.hint ?? '', /roles_path/);
});

test('roles: located problems for bad role content, loops, escapes and what is refused', () => {
  const dir = tree({
    'site.yml': [
      '- hosts: all',
      '  roles:',
      '    - a',
      '    - {role: b, become: true}',
      '    - {role: c, tasks_from: ../../../etc/passwd}',
      '  tasks:',
      '    - include_role: {name: a}',
      '  handlers:',
      '    - import_role: {name: a}',
    ].join('\n'),
    'roles/a/meta/main.yml': 'dependencies: [b2]\n',
    'roles/b2/meta/main.yml': 'dependencies: [a]\n',
    'roles/a/tasks/main.yml': '- name: t\n  note: {text: x}\n  notify: nobody\n',
    'roles/b/tasks/main.yml': '- name: bad\n  nosuchmodule: {}\n',
    'roles/c/tasks/main.yml': note('c'),
  });
  const found = problems(dir).map((p) => `${p.pos?.file.slice(dir.length + 1)}:${p.pos?.line} ${p.message}`);
  const expect = [
    /^roles\/b2\/meta\/main\.yml:1 role dependency loop: roles\/a → roles\/b2 → roles\/a$/,
    /^roles\/a\/tasks\/main\.yml:3 notify "nobody"/,
    /^site\.yml:4 role become: not supported on a role$/,
    /^roles\/b\/tasks\/main\.yml:2 unknown module "nosuchmodule"$/,
    /^site\.yml:5 tasks_from "\.\.\/\.\.\/\.\.\/etc\/passwd" leaves the role's tasks\/ folder$/,
    /^site\.yml:7 include_role is not supported$/,
    /^site\.yml:9 import_role belongs in a play's tasks$/,
  ];
  for (const re of expect)
    assert.ok(
      found.some((f) => re.test(f)),
      `${re} in\n${found.join('\n')}`,
    );
});

test('import_tasks: the file beside the importing one, its when and tags added; loops and include_tasks refused at their line', () => {
  const dir = tree({
    'site.yml': ['- hosts: all', '  tasks:', '    - import_tasks: parts/a.yml', '      when: go', '      tags: [t]'].join('\n'),
    'parts/a.yml': note('a') + '- import_tasks: b.yml\n',
    'parts/b.yml': note('b') + '  when: other\n',
  });
  const [play] = load(dir);
  assert.deepEqual(
    play.tasks.map((t) => [t.name, t.when, t.tags, t.pos.file.slice(dir.length + 1)]),
    [
      ['a', ['go'], ['t'], 'parts/a.yml'],
      ['b', ['other', 'go'], ['t'], 'parts/b.yml'],
    ],
  );
  const bad = tree({
    'site.yml': ['- hosts: all', '  tasks:', '    - import_tasks: loop.yml', '    - include_tasks: loop.yml'].join('\n'),
    'loop.yml': '- import_tasks: loop.yml\n',
  });
  const found = problems(bad).map((p) => `${p.pos?.file.slice(bad.length + 1)}:${p.pos?.line} ${p.message}`);
  assert.equal(found.length, 2, found.join('\n'));
  assert.match(found[0]!, /^loop\.yml:1 import_tasks loop: .*loop\.yml → .*loop\.yml$/);
  assert.match(found[1]!, /^site\.yml:4 include_tasks is not supported$/);
});
