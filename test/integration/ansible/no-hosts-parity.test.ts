// A play whose hosts: matches no host, as Debian's ansible-playbook runs it: a name that matches no
// host or group is ignored with Ansible's warning, the play prints "skipping: no hosts matched"
// and the run goes on with the next play (exit 0); a --limit that leaves no host at all and a
// subscript beyond its group are errors in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansible, files, haveAnsible, portsync } from './parity.js';

const HOSTS = '[leaf]\nleaf01\nleaf02\n[spine]\n[all:vars]\nansible_connection=local\n';
const play = (name: string, hosts: string) =>
  `- name: ${name}\n  hosts: "${hosts}"\n  gather_facts: false\n  tasks:\n    - copy: {dest: "{{ out }}/${name}-{{ inventory_hostname }}", content: "x\\n"}\n`;
const PLAYBOOK = [
  play('typo', 'leafs'),
  play('nothing-left', 'leaf:!leaf'),
  play('empty-group', 'spine'),
  play('partly-typo', 'leaf02:spines'),
  play('last', 'leaf[-1]'),
].join('');
const WARNING = /^\[WARNING\]: Could not match supplied host pattern, ignoring: (\S+)/gm;

const skips = (out: string) => out.match(/skipping: no hosts matched/g)?.length ?? 0;
const warned = (out: string) => [...out.matchAll(WARNING)].map((m) => m[1]).sort();

test(
  'plays that match no host are skipped with a warning for each unknown name, as ansible-playbook does',
  { skip: !haveAnsible && 'ansible-playbook is not installed' },
  (t) => {
    const work = mkdtempSync(join(tmpdir(), 'no-hosts-parity-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    writeFileSync(join(work, 'hosts'), HOSTS);
    writeFileSync(join(work, 'site.yaml'), PLAYBOOK);
    writeFileSync(join(work, 'spine.yaml'), play('spine-only', 'spine'));
    writeFileSync(join(work, 'beyond.yaml'), play('beyond', 'leaf[5]'));
    const both = (args: string[]) => {
      const theirs = mkdtempSync(join(work, 'ansible-'));
      const ours = mkdtempSync(join(work, 'psd-'));
      return { a: ansible(['-i', 'hosts', ...args], theirs, work), p: portsync(['-i', 'hosts', ...args], ours, work), theirs, ours };
    };

    const run = both(['site.yaml']);
    assert.equal(run.a.code, 0, run.a.out);
    assert.equal(run.p.code, 0, run.p.out);
    assert.equal(skips(run.a.out), 3, run.a.out);
    assert.equal(skips(run.p.out), 3, run.p.out);
    assert.deepEqual(warned(run.p.out), warned(run.a.out));
    assert.deepEqual(warned(run.p.out), ['leafs', 'spines']);
    assert.match(run.p.out, /ignoring: leafs \(did you mean "leaf"/);
    assert.deepEqual(files(run.ours), files(run.theirs));
    assert.deepEqual(Object.keys(files(run.ours)), ['last-leaf02', 'partly-typo-leaf02']);

    // A --limit that selects hosts no play targets: every play is skipped, nothing fails.
    const limited = both(['spine.yaml', '--limit', 'leaf01']);
    assert.deepEqual([limited.a.code, skips(limited.a.out)], [0, 1], limited.a.out);
    assert.deepEqual([limited.p.code, skips(limited.p.out)], [0, 1], limited.p.out);

    // A --limit that selects no host of the inventory is refused, after the same warning.
    const nowhere = both(['site.yaml', '--limit', 'nosuch']);
    assert.notEqual(nowhere.a.code, 0, nowhere.a.out);
    assert.equal(nowhere.p.code, 3, nowhere.p.out);
    assert.deepEqual(warned(nowhere.p.out), warned(nowhere.a.out));
    assert.match(nowhere.p.out, /error: --limit "nosuch" selects no host of inventory/);

    // A subscript beyond the group's hosts is an error in both, at its line here.
    const beyond = both(['beyond.yaml']);
    assert.notEqual(beyond.a.code, 0, beyond.a.out);
    assert.equal(beyond.p.code, 3, beyond.p.out);
    assert.match(beyond.p.out, /beyond\.yaml:2:\d+: host pattern "leaf\[5\]" .*none at position 5/);
    for (const r of [nowhere, beyond]) assert.deepEqual([files(r.ours), files(r.theirs)], [{}, {}]);
  },
);
