// Roles as Ansible runs them: Debian's ansible-playbook and portsync-deploy run the same playbook
// (test/fixtures/ansible-roles: roles/ beside it, a role from ANSIBLE_ROLES_PATH, meta
// dependencies, a role used twice, import_role with tasks_from, role handlers, every variable
// layer a role adds) on the local machine, each writing under its own folder, and every file
// must come out the same: names, bytes and modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, repoRoot } from '../../unit/inventory/fixture-path.js';

const DIR = fixture('ansible-roles');
const BIN = join(repoRoot, 'bin/portsync-deploy.js');
const haveAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;

function run(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_CONFIG: '', ANSIBLE_ROLES_PATH: join(DIR, 'extra-roles'), ANSIBLE_NOCOLOR: '1' },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, `${(statSync(join(dir, f)).mode & 0o7777).toString(8)} ${readFileSync(join(dir, f), 'utf8')}`]),
  );
}

const CASES: Record<string, string[]> = {
  'the whole playbook': [],
  '--tags on a role entry, -e above role parameters': ['--tags', 'second', '-e', 'web_greeting=from_extra'],
};

for (const [name, extra] of Object.entries(CASES)) {
  test(
    `roles: ansible-playbook and portsync-deploy write the same files: ${name}`,
    { skip: !haveAnsible && 'ansible-playbook is not installed' },
    (t) => {
      const work = mkdtempSync(join(tmpdir(), 'roles-parity-'));
      t.after(() => rmSync(work, { recursive: true, force: true }));
      const theirs = mkdtempSync(join(work, 'ansible-'));
      const ours = mkdtempSync(join(work, 'psd-'));
      const common = ['-i', join(DIR, 'hosts.ini'), join(DIR, 'site.yml'), ...extra];

      const a = run('ansible-playbook', [...common, '-e', `out=${theirs}`, '-e', 'ansible_python_interpreter=/usr/bin/python3'], work);
      assert.equal(a.code, 0, a.out);
      const p = run(process.execPath, [BIN, ...common, '-e', `out=${ours}`], work);
      assert.equal(p.code, 0, p.out);
      assert.ok(Object.keys(files(theirs)).length > 0, 'Ansible wrote files');
      assert.deepEqual(files(ours), files(theirs));

      const again = run(process.execPath, [BIN, ...common, '-e', `out=${ours}`, '--json'], work);
      assert.equal(again.code, 0, again.out);
      const recap = JSON.parse(again.out.trim().split('\n').at(-1)!);
      assert.equal(recap.hosts.sw1.changed, 0, 'a second run changes nothing');
    },
  );
}
