// --list-hosts, --list-tasks, --list-tags (with --tags/--skip-tags/--limit) and --syntax-check print
// what Debian's ansible-playbook prints on the same playbooks, and refuse the playbooks it refuses.
// ansible-playbook lists a play's tags and hosts from a Python set (its order varies run to run):
// those are compared as sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../unit/inventory/fixture-path.js';
import { haveAnsible } from './parity.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

const FILES: Record<string, string> = {
  hosts: '[leaf]\nsw1\nsw2\n[spine]\nsp1\n[all:vars]\nansible_connection=local\n',
  'site.yaml': `- name: tune leaves
  hosts: leaf
  tags: [tune]
  gather_facts: false
  tasks:
    - name: set somaxconn
      ansible.posix.sysctl: {name: net.core.somaxconn, value: "4096"}
      tags: [sysctl, net]
    - name: write conf
      copy: {content: "x\\n", dest: /tmp/never-written}
    - name: show
      debug: {msg: hi}
      tags: [always]
    - name: only when asked
      debug: {msg: no}
      tags: [never, debug]
- name: spines
  hosts: spine
  gather_facts: false
  tasks:
    - name: grouped
      block:
        - name: inner one
          debug: {msg: a}
          tags: [inner]
        - name: inner two
          debug: {msg: b}
      tags: [blk]
    - debug: {msg: unnamed}
`,
  'roles.yaml': `- hosts: all
  gather_facts: false
  roles:
    - role: base
      tags: [rtag]
  tasks:
    - meta: flush_handlers
    - name: looped
      debug: {msg: "{{ item }}"}
      loop: [1, 2]
    - ansible.builtin.debug: {msg: x}
      tags: other
    - name: "templated {{ 1 + 1 }}"
      debug: {msg: y}
`,
  'roles/base/tasks/main.yml': `- name: role task
  debug: {msg: r}
  tags: [rt]
- ansible.builtin.command: /bin/true
`,
  'lists.yaml': `- hosts: [leaf, spine]
  gather_facts: false
  tags: "a, b"
  tasks:
    - name: looped {{ item }}
      debug: {msg: "{{ item }}"}
      loop: [1, 2]
      register: r
      tags: c,d
    - name: when
      command: echo hi
      when: r is changed
      notify: h
  handlers:
    - name: h
      debug: {msg: handled}
- import_playbook: site.yaml
`,
};

/** Playbooks both refuse under --syntax-check, with where this tool locates the problem. */
const REFUSED: Record<string, { text: string; at: string }> = {
  'unknown-task-key.yaml': { text: '- hosts: all\n  tasks:\n    - debug: {msg: x}\n      foo: 1\n', at: '4:7' },
  'unknown-module.yaml': { text: '- hosts: all\n  tasks:\n    - ansible.builtin.nosuch: {a: 1}\n', at: '3:7' },
  'yaml-error.yaml': { text: '- hosts: all\n  tasks:\n    - debug: {msg: x\n', at: '4:1' },
  'unknown-play-key.yaml': { text: '- hostz: all\n  tasks: []\n', at: '1:3' },
  'no-hosts.yaml': { text: '- name: nohosts\n  tasks:\n    - debug: {msg: x}\n', at: '1:3' },
  'no-action.yaml': { text: '- hosts: all\n  tasks:\n    - name: nothing\n', at: '3:7' },
  'missing-role.yaml': { text: '- hosts: all\n  roles: [nosuch]\n', at: '2:11' },
  'not-a-list.yaml': { text: 'hosts: all\ntasks: []\n', at: '1:1' },
  'two-actions.yaml': { text: '- hosts: all\n  tasks:\n    - debug: {msg: x}\n      command: echo\n', at: '3:7' },
  'two-loops.yaml': { text: '- hosts: all\n  tasks:\n    - debug: {msg: x}\n      loop: [1]\n      with_items: [2]\n', at: '5:7' },
  'rescue-not-a-list.yaml': { text: '- hosts: all\n  tasks:\n    - block:\n        - debug: {msg: x}\n      rescue: oops\n', at: '5:7' },
  'missing-import.yaml': { text: '- hosts: all\n  tasks:\n    - import_tasks: nosuch.yaml\n', at: '3:7' },
};

// Each listing alone, then all three together under every tag filter (ansible-playbook takes ~1 s a run).
const LISTS = [['--list-tasks'], ['--list-tags'], ['--list-hosts']];
const ALL = ['--list-hosts', '--list-tasks', '--list-tags'];
const FILTERS = [
  [],
  ['--tags', 'net'],
  ['--tags', 'untagged,never'],
  ['--tags', 'tagged'],
  ['--skip-tags', 'tagged'],
  ['--skip-tags', 'all'],
  ['--skip-tags', 'all,always'],
  ['--tags', 'all', '--skip-tags', 'always'],
  ['--tags', 'blk,inner,c', '--skip-tags', 'inner'],
  ['--limit', 'sw1,sp1'],
];

const cwd = mkdtempSync(join(tmpdir(), 'list-parity-'));
test.after(() => rmSync(cwd, { recursive: true, force: true }));
for (const [name, text] of [...Object.entries(FILES), ...Object.entries(REFUSED).map(([n, r]) => [n, r.text])]) {
  mkdirSync(dirname(join(cwd, name)), { recursive: true });
  writeFileSync(join(cwd, name), text);
}

function run(cmd: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, [...args, '-i', 'hosts'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '', ANSIBLE_ROLES_PATH: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const ansible = (args: string[]) => run('ansible-playbook', args);
const ours = (args: string[]) => run(process.execPath, [BIN, ...args]);

/** Play tags and each play's hosts in a stable order. */
function normalized(listing: string): string {
  const lines = listing
    .split('\n')
    .map((l) =>
      l.replace(/^( {2}play #\d+ .*\tTAGS: \[)(.*)\]$/, (_, head: string, tags: string) => `${head}${tags.split(',').sort().join(',')}]`),
    );
  for (let i = 0; i < lines.length; i++) {
    if (!/^ {4}hosts \(\d+\):$/.test(lines[i]!)) continue;
    let end = i + 1;
    while (end < lines.length && lines[end]!.startsWith('      ')) end++;
    lines.splice(i + 1, end - i - 1, ...lines.slice(i + 1, end).sort());
  }
  return lines.join('\n');
}

const RUNS: Record<string, string[][]> = {
  'site.yaml': [...LISTS, ...FILTERS.map((f) => [...ALL, ...f])],
  'roles.yaml': [ALL, [...ALL, '--tags', 'rt,other']],
  'lists.yaml': [ALL, [...ALL, '--tags', 'c,inner', '--skip-tags', 'always']],
};

for (const [playbook, runs] of Object.entries(RUNS)) {
  test(`listings equal ansible-playbook's: ${playbook}`, { skip: !haveAnsible && 'ansible-playbook is not installed' }, () => {
    for (const flags of runs) {
      const args = [playbook, ...flags];
      const theirs = ansible(args);
      assert.equal(theirs.code, 0, theirs.out + theirs.err);
      const mine = ours(args);
      assert.equal(mine.code, 0, `${args.join(' ')}: ${mine.err}`);
      assert.equal(normalized(mine.out), normalized(theirs.out), args.join(' '));
    }
  });
}

test('the listings show what the playbook holds', () => {
  const r = ours(['site.yaml', '--list-tasks', '--tags', 'net,never']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^ {6}set somaxconn\tTAGS: \[net, sysctl, tune\]\n {6}show\tTAGS: \[always, tune\]\n {6}only when asked\t/m);
  assert.doesNotMatch(r.out, /write conf|inner/);
});

test(
  '--syntax-check accepts what ansible-playbook accepts, printing what it prints',
  { skip: !haveAnsible && 'ansible-playbook is not installed' },
  () => {
    for (const playbook of ['site.yaml', 'roles.yaml', 'lists.yaml']) {
      const args = [playbook, '--syntax-check'];
      const theirs = ansible(args);
      assert.equal(theirs.code, 0, theirs.out + theirs.err);
      const mine = ours([...args, '--list-tasks']);
      assert.deepEqual([mine.code, mine.out], [0, theirs.out], `${playbook}: ${mine.err}`);
    }
  },
);

for (const [playbook, { at }] of Object.entries(REFUSED)) {
  test(
    `--syntax-check refuses what ansible-playbook refuses: ${playbook}`,
    { skip: !haveAnsible && 'ansible-playbook is not installed' },
    () => {
      const theirs = ansible([playbook, '--syntax-check']);
      assert.notEqual(theirs.code, 0, theirs.out);
      assert.match(theirs.err, /ERROR!/);
      const mine = ours([playbook, '--syntax-check']);
      assert.equal(mine.code, 3, mine.out + mine.err);
      assert.equal(mine.out, '');
      assert.match(mine.err, new RegExp(`^error: ${cwd}/${playbook.replace('.', '\\.')}:${at}[: ]`, 'm'));
      assert.doesNotMatch(mine.err, /\n\s+at /, 'no stack trace');
    },
  );
}
