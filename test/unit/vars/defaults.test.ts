import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultsDirOf, loadPlaybookDefaults } from '../../../src/vars/defaults.js';
import { ValidationError } from '../../../src/errors.js';
import { posOf } from '../../../src/source-map.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../bin/portsync-deploy.js');

function tree(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-defaults-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

test('defaults/ beside the playbook, else beside its parent folder; files merge in name order', (t) => {
  const dir = tree(t, {
    'pb/defaults/a.yaml': 'x: 1\n',
    'pb/defaults/b.yml': 'y: [2]\n',
    'pb/defaults/notes.txt': 'z: 3\n',
    'pb/site.yaml': '[]\n',
    'pb/parts/daemon.yaml': '[]\n',
    'other/site.yaml': '[]\n',
  });
  assert.equal(defaultsDirOf(join(dir, 'pb/site.yaml')), join(dir, 'pb/defaults'));
  assert.equal(defaultsDirOf(join(dir, 'pb/parts/daemon.yaml')), join(dir, 'pb/defaults'));
  assert.equal(defaultsDirOf(join(dir, 'other/site.yaml')), undefined);
  const v = loadPlaybookDefaults(join(dir, 'pb/site.yaml'));
  assert.deepEqual(v, { x: 1, y: [2] });
  assert.equal(posOf(v, 'y')!.file, join(dir, 'pb/defaults/b.yml'));
  assert.deepEqual(loadPlaybookDefaults(join(dir, 'other/site.yaml')), {});
});

test('a default defined in two files is an error naming both places', (t) => {
  const dir = tree(t, { 'defaults/a.yaml': 'x: 1\n', 'defaults/b.yaml': '\nx: 2\n', 'site.yaml': '[]\n' });
  assert.throws(
    () => loadPlaybookDefaults(join(dir, 'site.yaml')),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.problems.length, 1);
      assert.match(e.problems[0]!.message, /default "x" is defined twice \(first at .*a\.yaml:1\)/);
      assert.equal(e.problems[0]!.pos?.line, 2);
      return true;
    },
  );
});

test('through the CLI: defaults are the lowest layer, under group_vars, host_vars and -e', (t) => {
  const dir = tree(t, {
    'pb/defaults/main.yaml': 'a: default\nb: default\nc: default\nd: default\n',
    'pb/show.yaml': `- hosts: all
  tasks:
    - name: show
      copy: {dest: /etc/show, content: "{{ a }} {{ b }} {{ c }} {{ d }}\\n"}
`,
    'inv/hosts.yaml': 'all:\n  hosts:\n    sw1: {connection: chroot, chroot_dir: ROOT}\n',
    'inv/group_vars/all.yaml': 'b: group\n',
    'inv/host_vars/sw1.yaml': 'c: host\n',
  });
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  writeFileSync(join(dir, 'inv/hosts.yaml'), `all:\n  hosts:\n    sw1: {connection: chroot, chroot_dir: ${join(dir, 'root')}}\n`);
  const r = spawnSync(process.execPath, [BIN, 'plan', join(dir, 'pb/show.yaml'), '-i', join(dir, 'inv'), '-e', 'd=extra', '--diff'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr + r.stdout);
  assert.match(r.stdout, /^\s*\+default group host extra$/m);
});
