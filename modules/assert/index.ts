// assert: Ansible's assert module. Every condition of `that` must hold for the host, else the
// plan stops with fail_msg at the task, before any host is changed.
import type { Module } from '../../src/module.js';
import { schema, type AssertArgs } from './schema.js';

const assert: Module<AssertArgs> = {
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  covers: ['ansible.builtin.fail'],
  schema,
  needs: () => [],
  diff(_facts, args, ctx) {
    const conditions = (Array.isArray(args.that) ? args.that : [args.that]).map(String);
    const failed = conditions.find((c) => !ctx.test(c));
    if (failed !== undefined) {
      ctx.error(args.fail_msg ?? args.msg ?? `assertion failed: ${failed}`, ['that'], `the condition "${failed}" is false for this host`);
      return [];
    }
    if (!args.quiet) ctx.note(args.success_msg ?? 'All assertions passed');
    return [];
  },
};

export default assert;
