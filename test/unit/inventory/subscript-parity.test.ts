// Host pattern subscripts (group[0], group[-1], group[0:2], group[2:]) in --limit and hosts:
// select what Debian's `ansible-playbook --list-hosts` selects, on the INI and YAML corpus
// inventories. Host sets are compared: Ansible lists a play's hosts in pattern order, this tool in
// inventory order. Runs where Ansible is installed (CI installs Debian's `ansible`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, repoRoot } from './fixture-path.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');
const INI = fixture('ansible-inventories', 'ini-basic', 'hosts');
const YAML = fixture('good', 'dc-small', 'hosts.yaml');

/** Patterns selecting through subscripts, some with unions, intersections and exclusions. */
const PATTERNS: Record<string, string[]> = {
  [INI]: [
    'dc1[0:2]',
    'dc1[1]',
    'dc1[-1]',
    'dc1[2:]',
    'dc1[4:0]',
    'dc1[9]',
    'dc1[3:1]:spine[0]',
    'leaf*[0:3]',
    'spine[0],leaf[-2]',
    'dc1[1:3]:!leaf02',
    'all:&dc1[0:1]',
    'ungrouped[1]',
    'all[0:1]',
    'leaf[1-2]',
  ],
  [YAML]: ['leaf[1:2]', 'spine[-1]', 'leaf_edge[0]:leaf_core[0]', 'leaf[-1]', 'leaf_edge[1:]:spine[1]'],
};

const haveAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
const cwd = mkdtempSync(join(tmpdir(), 'subscript-parity-'));
test.after(() => rmSync(cwd, { recursive: true, force: true }));

interface Listed {
  code: number | null;
  /** Hosts of each play, sorted. */
  plays: string[][];
}

function listHosts(cmd: string, args: string[]): Listed {
  const r = spawnSync(cmd, [...args, '--list-hosts'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_CONFIG: '', ANSIBLE_LOCALHOST_WARNING: 'false', NO_COLOR: '1' },
  });
  const plays = r.stdout
    .split(/\n\s*play #\d+/)
    .slice(1)
    .map((p) => [...p.matchAll(/^ {6}(\S+)$/gm)].map((m) => m[1]!).sort());
  return { code: r.status, plays };
}

function both(args: string[]): { theirs: Listed; ours: Listed } {
  return { theirs: listHosts('ansible-playbook', args), ours: listHosts(process.execPath, [BIN, ...args]) };
}

const skip = haveAnsible ? false : 'ansible-playbook is not installed';

test('hosts: with subscripts selects the hosts ansible-playbook selects', { skip }, () => {
  for (const [inv, patterns] of Object.entries(PATTERNS)) {
    const site = join(cwd, 'plays.yaml');
    writeFileSync(site, patterns.map((h) => `- hosts: ${JSON.stringify(h)}\n  gather_facts: false\n  tasks: []\n`).join(''));
    const { theirs, ours } = both([site, '-i', inv]);
    assert.equal(theirs.code, 0);
    assert.equal(theirs.plays.length, patterns.length);
    assert.ok(theirs.plays.every((p) => p.length > 0));
    assert.equal(ours.code, 0, inv);
    assert.deepEqual(
      Object.fromEntries(patterns.map((p, i) => [p, ours.plays[i]])),
      Object.fromEntries(patterns.map((p, i) => [p, theirs.plays[i]])),
    );
  }
});

test('--limit with subscripts selects the hosts ansible-playbook selects', { skip }, () => {
  const site = join(cwd, 'site.yaml');
  writeFileSync(site, '- hosts: all\n  gather_facts: false\n  tasks: []\n');
  for (const limit of ['dc1[0:2]', 'spine[0],leaf[-2]', 'all:&dc1[1:2]:!spine02']) {
    const { theirs, ours } = both([site, '-i', INI, '--limit', limit]);
    assert.equal(theirs.code, 0, `ansible-playbook --limit ${limit}`);
    assert.equal(ours.code, 0, `--limit ${limit}`);
    assert.deepEqual(ours.plays, theirs.plays, `--limit ${limit}`);
  }
});

test('a subscript past the end, or on a name nothing has, selects nothing in either tool', { skip }, () => {
  const site = join(cwd, 'site.yaml');
  writeFileSync(site, '- hosts: all\n  gather_facts: false\n  tasks: []\n');
  for (const limit of ['dc1[10]', 'spine[-4]', 'leaf0[12]']) {
    const { theirs, ours } = both([site, '-i', INI, '--limit', limit]);
    assert.notEqual(theirs.code, 0, `ansible-playbook --limit ${limit}`);
    assert.equal(ours.code, 3, `--limit ${limit}`);
  }
});
