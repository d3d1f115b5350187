// template: a handlebars file from templates/ rendered per host and written atomically, with the
// content diff and any mode/owner/group drift reported.
import type { Module } from '../../src/module.js';
import { templateDiff } from './diff.js';
import { schema, type TemplateArgs } from './schema.js';

const template: Module<TemplateArgs> = {
  name: 'template',
  aliases: ['ansible.builtin.template'],
  schema,
  needs: (args) => [
    { kind: 'file', path: args.dest },
    { kind: 'stat', path: args.dest },
  ],
  diff: templateDiff,
};

export default template;
