// -e as ansible-playbook reads it: the same -e items given to Debian's ansible-playbook and to
// portsync-deploy must give every variable the same value (key=value words with quotes, escapes
// and Jinja2 blocks, words that are no pair, YAML/JSON text with YAML 1.1 scalars, later wins).
// Each tool writes every variable it sees, rendered, into one file; the files must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansible, haveAnsible, portsync } from './parity.js';

const GROUPS: string[][] = [
  ['a=b c', "x='a b'", 'y="c d" z=e\\tf', 'w="q\\"r"', 'v="b \'c\' d"'],
  ['{j: yes, k: 0o10, l: 1e3, m: [1, two], n: {p: null}}', '[{"o": 1}]'.slice(1, -1)],
  ['a=1 a=2', 'b=x=y', "c='it''s'", 'd="x"y', 'e=\\u00e9\\x41', 'f=', "g={{ 'p q' | upper }} h=i", 'k=1\nl=2'],
];
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'v', 'w', 'x', 'y', 'z', '_raw_params'];
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: every variable
      copy:
        dest: "{{ out }}/vars"
        content: |
${NAMES.map((n) => `          ${n}={{ ${n} | default('(undefined)') }}`).join('\n')}
`;

test(
  '-e items: ansible-playbook and portsync-deploy give every variable the same value',
  { skip: !haveAnsible && 'ansible-playbook is not installed' },
  (t) => {
    const work = mkdtempSync(join(tmpdir(), 'extra-vars-parity-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    writeFileSync(join(work, 'site.yaml'), PLAYBOOK);
    writeFileSync(join(work, 'hosts.yaml'), 'all:\n  hosts:\n    this:\n      ansible_connection: local\n');
    for (const [i, items] of GROUPS.entries()) {
      const args = ['-i', join(work, 'hosts.yaml'), join(work, 'site.yaml'), ...items.flatMap((e) => ['-e', e])];
      const theirs = mkdtempSync(join(work, `ansible-${i}-`));
      const ours = mkdtempSync(join(work, `psd-${i}-`));
      const a = ansible(args, theirs, work);
      assert.equal(a.code, 0, a.out);
      const p = portsync(args, ours, work);
      assert.equal(p.code, 0, p.out);
      assert.equal(readFileSync(join(ours, 'vars'), 'utf8'), readFileSync(join(theirs, 'vars'), 'utf8'), `-e ${items.join(' -e ')}`);
    }
  },
);
