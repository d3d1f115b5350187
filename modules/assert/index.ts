// assert: Ansible's assert module. Every condition of `that` must hold for the host, else the
// plan stops with fail_msg at the task, before any host is changed.
import type { Module } from '../../src/module.js';

interface AssertArgs {
  that: string | string[];
  fail_msg?: string;
  msg?: string;
  success_msg?: string;
  quiet: boolean;
}

const condition = { type: ['string', 'boolean'] } as const;

const assert: Module<AssertArgs> = {
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  covers: ['ansible.builtin.fail'],
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: { anyOf: [condition, { type: 'array', minItems: 1, items: condition }], description: 'conditions in the when: language' },
      fail_msg: { type: 'string' },
      msg: { type: 'string' },
      success_msg: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  },
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
