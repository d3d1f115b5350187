// `portsync-deploy inventory --list` prints what Debian's `ansible-inventory --list` prints for a
// corpus of INI and YAML inventories: the same hosts, groups (hosts in order, children) and every
// host's merged variables. Runs where Ansible is installed (CI installs Debian's `ansible`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, repoRoot } from './fixture-path.js';

const CORPUS = fixture('ansible-inventories');
const BIN = join(repoRoot, 'bin/portsync-deploy.js');

/** Each case: the -i sources, in order. */
const CASES: Record<string, string[]> = {
  'INI: groups, children, vars, ranges, ports, inline host vars, ungrouped': ['ini-basic/hosts'],
  'YAML scalars read as PyYAML reads them': ['yaml-scalars/hosts.yaml'],
  'a folder of YAML and INI sources with group_vars/ and host_vars/': ['folder'],
  'several -i merged in order, each with its own group_vars/': ['multi/a/hosts', 'multi/b'],
};

function run(cmd: string, args: string[], cwd: string): unknown {
  // An empty working folder: no ansible.cfg, group_vars/ or host_vars/ beside the "playbook".
  return JSON.parse(
    execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ANSIBLE_CONFIG: '', ANSIBLE_LOCALHOST_WARNING: 'false' },
    }),
  );
}

const haveAnsible = spawnSync('ansible-inventory', ['--version'], { stdio: 'ignore' }).status === 0;
const cwd = mkdtempSync(join(tmpdir(), 'inv-parity-'));
test.after(() => rmSync(cwd, { recursive: true, force: true }));

for (const [name, sources] of Object.entries(CASES)) {
  test(
    `inventory --list equals ansible-inventory --list: ${name}`,
    { skip: haveAnsible ? false : 'ansible-inventory is not installed' },
    () => {
      const dashI = sources.flatMap((s) => ['-i', join(CORPUS, s)]);
      const theirs = run('ansible-inventory', [...dashI, '--list'], cwd);
      const ours = run(process.execPath, [BIN, 'inventory', ...dashI, '--list'], cwd);
      assert.deepEqual(ours, theirs);
    },
  );
}

test(
  'inventory --list equals ansible-inventory --list: the example fleet test fixture',
  { skip: haveAnsible ? false : 'ansible-inventory is not installed' },
  () => {
    const dashI = ['-i', fixture('good', 'dc-small', 'hosts.yaml')];
    assert.deepEqual(
      run(process.execPath, [BIN, 'inventory', ...dashI, '--list'], cwd),
      run('ansible-inventory', [...dashI, '--list'], cwd),
    );
  },
);
