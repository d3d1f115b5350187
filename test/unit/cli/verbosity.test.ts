// -v to -vvvv: each level adds detail, on stderr, and never a secret (the no_log task's command
// line carries one and runs in the gather; the copy is the apply script's step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../modules/support.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

test('-v round trips, -vv timings, -vvv every connection and exec, -vvvv the steps of each script; secrets stay masked', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-verbose-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    sw1:\n      connection: local\n');
  writeFileSync(
    join(dir, 'site.yaml'),
    `- hosts: all
  vars:
    token: s3cr3t-verbose-token
  tasks:
    - name: noisy
      shell: echo "warning {{ token }}" >&2
      register: n
      changed_when: false
      no_log: true
    - copy: { content: x, dest: ${dir}/f }
`,
  );
  const run = (...v: string[]) =>
    spawnSync(process.execPath, [BIN, join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml'), ...v], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    }).stderr;
  const v1 = run('-v');
  const v2 = run('-vv');
  const v3 = run('-vvv');
  // The file again missing, so the run has an apply script whose steps -vvvv lists.
  rmSync(join(dir, 'f'));
  const v4 = run('-vvvv');
  assert.doesNotMatch(v1, /exec 1:/);
  assert.match(v2, /timings: /);
  assert.doesNotMatch(v2, /exec 1:/);
  assert.match(v3, /sw1: connected \(local\) in \d+ ms/);
  assert.match(v3, /sw1: exec 1: .* \(\d+ bytes\), rc 0, \d+ bytes out, \d+ ms/);
  assert.doesNotMatch(v3, /step:/);
  assert.match(v4, new RegExp(`sw1: {3}step: create ${dir}/f`));
  for (const out of [v1, v2, v3, v4]) assert.doesNotMatch(out, /s3cr3t-verbose-token/);
});
