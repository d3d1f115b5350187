// lineinfile: Ansible's module of that name. One line of a file made present or absent, the
// rest of the file kept; the change is an atomic put with a unified diff.
import type { Module } from '../../src/module.js';
import { lineInFileDiff } from './diff.js';
import { schema, type LineInFileArgs } from './schema.js';

const lineinfile: Module<LineInFileArgs> = {
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile'],
  covers: ['ansible.builtin.replace'],
  schema,
  needs: (args) => [
    { kind: 'file', path: args.path },
    { kind: 'stat', path: args.path },
  ],
  diff: lineInFileDiff,
};

export default lineinfile;
