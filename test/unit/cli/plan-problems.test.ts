// Every driver runs the same planning pass, so a task whose plan fails stops each of them with
// exit 3 and the located problem: run, --check, verify and health. Offline roots (chroot), so
// no host is needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Two chroot hosts whose /etc/motd is a directory, and the playbook file to write. */
function fleet(t: { after(fn: () => void): void }, playbook: string) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-plan-problems-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const h of ['sw1', 'sw2']) mkdirSync(join(dir, 'roots', h, 'etc/motd'), { recursive: true });
  writeFileSync(
    join(dir, 'hosts.yaml'),
    `all:\n  vars:\n    connection: chroot\n    chroot_dir: "${dir}/roots/{{ inventory_hostname }}"\n  hosts:\n    sw1:\n    sw2:\n`,
  );
  writeFileSync(join(dir, 'site.yaml'), playbook);
  return { dir, inv: dir, pb: join(dir, 'site.yaml') };
}

const TEMPLATE_ON_DIR = `- name: p
  hosts: all
  tasks:
    - name: motd
      template:
        src: ${readdirSync(join(REPO, 'templates')).find((f) => f.endsWith('.hbs'))}
        dest: /etc/motd
`;

for (const cmd of [['verify'], ['plan'], []]) {
  test(`${cmd[0] ?? 'run'}: a template whose dest is a directory exits 3, located, once for both hosts`, (t) => {
    const f = fleet(t, TEMPLATE_ON_DIR);
    const r = cli([...cmd, f.pb, '-i', f.inv]);
    assert.equal(r.code, 3, r.out + r.err);
    const lines = r.err.split('\n').filter((l) => l.startsWith('error: '));
    assert.deepEqual(lines, [`error: ${f.pb}:7:9 hosts sw1, sw2, task "motd", at template.dest: /etc/motd exists and is a directory`]);
    assert.doesNotMatch(r.out, /as declared|matches/);
  });
}

test('health: a health task whose plan fails exits 3 with the located problem', (t) => {
  const f = fleet(
    t,
    `- name: p
  hosts: all
  tasks: []
  health:
    - name: daemon healthy
      when: no_such_var == 1
      health_check: {}
`,
  );
  const r = cli(['health', f.pb, '-i', f.inv]);
  assert.equal(r.code, 3, r.out + r.err);
  assert.match(r.err, /^error: .*site\.yaml:5:\d+ hosts sw1, sw2, task "daemon healthy": .*no_such_var/m);
  assert.equal(r.out, '', 'no health table for a plan that failed');
});

test('run: templates that fail are reported at their file, line and column, with hosts and task, before any host changes', (t) => {
  const f = fleet(
    t,
    `- name: p
  hosts: all
  tasks:
    - name: issue
      copy:
        content: "hello"
        dest: /etc/issue
    - name: limits
      template:
        src: limits.hbs
        dest: /etc/limits.conf
        vars:
          settings: {}
    - name: syntax
      template:
        src: syntax.hbs
        dest: /etc/syntax.conf
`,
  );
  // The run compiles its templates folder ahead; a broken template no task renders is no problem.
  const templates = mkdtempSync(join(tmpdir(), 'psd-plan-problems-templates-'));
  t.after(() => rmSync(templates, { recursive: true, force: true }));
  writeFileSync(join(templates, 'limits.hbs'), 'line one\nvalue = {{ settings.swapiness }}\n');
  writeFileSync(join(templates, 'syntax.hbs'), 'x\n{{#if a}}\n');
  writeFileSync(join(templates, 'unused.hbs'), '{{#each}\n');
  const r = cli([f.pb, '-i', f.inv, '-e', `templates_dir=${templates}`]);
  assert.equal(r.code, 3, r.out + r.err);
  const lines = r.err.split('\n').filter((l) => l.startsWith('error: '));
  assert.deepEqual(lines, [
    `error: ${templates}/limits.hbs:2:12 hosts sw1, sw2, task "limits": undefined variable "swapiness" in {{ settings.swapiness }} of template ${templates}/limits.hbs`,
    `error: ${templates}/syntax.hbs:3:1 hosts sw1, sw2, task "syntax": template syntax error: Parse error on line 3:`,
  ]);
  assert.match(r.err, /nothing was changed/);
  for (const h of ['sw1', 'sw2']) assert.ok(!existsSync(join(f.dir, 'roots', h, 'etc/issue')), `${h} was changed`);
});
