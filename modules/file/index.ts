// file: Ansible's `file` module. A directory, an empty file (touch), a symlink, or nothing at a
// path, with mode and owner; `state: file` only checks. Decided from the path's stat alone.
import type { Module } from '../../src/module.js';
import { fileDiff } from './diff.js';
import { schema, type FileArgs } from './schema.js';

const file: Module<FileArgs> = {
  name: 'file',
  aliases: ['ansible.builtin.file'],
  schema,
  needs: (args) => [{ kind: 'stat', path: args.path }],
  diff: fileDiff,
};

export default file;
