// playbook_dir is the folder of the file that declares the play: an imported part reads its
// relative copy src beside itself, the top-level playbook beside itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

test('a relative copy src resolves against the folder of the playbook file that declares the play', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-pbdir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  mkdirSync(join(dir, 'pb/parts/files'), { recursive: true });
  mkdirSync(join(dir, 'pb/files'));
  mkdirSync(join(dir, 'inv'));
  writeFileSync(join(dir, 'inv/hosts.yaml'), `all:\n  hosts:\n    sw1: {connection: chroot, chroot_dir: ${join(dir, 'root')}}\n`);
  writeFileSync(join(dir, 'pb/files/top.txt'), 'from the top-level folder\n');
  writeFileSync(join(dir, 'pb/parts/files/part.txt'), 'from the part folder\n');
  writeFileSync(
    join(dir, 'pb/site.yaml'),
    `- name: top
  hosts: all
  tasks:
    - name: top file
      copy: {src: files/top.txt, dest: /etc/top.txt}
- import_playbook: parts/part.yaml
`,
  );
  writeFileSync(
    join(dir, 'pb/parts/part.yaml'),
    `- name: part
  hosts: all
  tasks:
    - name: part file
      copy: {src: files/part.txt, dest: /etc/part.txt}
`,
  );
  // Run from elsewhere: nothing may depend on the working directory.
  const r = spawnSync(process.execPath, [BIN, join(dir, 'pb/site.yaml'), '-i', join(dir, 'inv'), '--json'], {
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(join(dir, 'root/etc/top.txt'), 'utf8'), 'from the top-level folder\n');
  assert.equal(readFileSync(join(dir, 'root/etc/part.txt'), 'utf8'), 'from the part folder\n');
});
