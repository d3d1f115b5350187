// The command line keeps its YAML parses between runs: a second run, from the kept parses,
// reports the same located problem as the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

test('a run from kept parses locates a problem as the first run did', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-yaml-cache-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    sw1:\n      greeting: "{{ undefined_thing }}"\n');
  const playbook = join(dir, 'site.yaml');
  writeFileSync(
    playbook,
    '- name: p\n  hosts: all\n  tasks:\n    - name: motd\n      copy:\n        content: "{{ greeting }}"\n        dest: /etc/motd\n',
  );
  const validate = () =>
    spawnSync(process.execPath, [BIN, 'validate', playbook, '-i', join(dir, 'hosts.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', PSD_CACHE_DIR: join(dir, 'cache') },
    });
  const first = validate();
  assert.equal(first.status, 3, first.stderr);
  assert.match(
    first.stderr,
    new RegExp(`^error: ${playbook}:6:9 host sw1, task "motd", at copy.content: undefined variable "undefined_thing"`, 'm'),
  );
  assert.equal(readdirSync(join(dir, 'cache/yaml')).length, 2, 'the inventory and the playbook are kept');
  const again = validate();
  assert.equal(again.status, 3);
  assert.equal(again.stderr, first.stderr);
});
