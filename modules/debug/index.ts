// debug: Ansible's debug module. Shows a message or a variable's value as the task's result;
// changes nothing and reads nothing from the host.
import type { Module } from '../../src/module.js';

interface DebugArgs {
  msg?: unknown;
  var?: string;
  verbosity?: number;
}

const debug: Module<DebugArgs> = {
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  schema: {
    type: 'object',
    additionalProperties: false,
    not: { required: ['msg', 'var'], properties: { msg: true, var: true } },
    properties: {
      msg: { description: 'the message (any value; templated like every arg)' },
      var: { type: 'string', minLength: 1, description: 'an expression whose value is shown, e.g. "ansible_facts"' },
      verbosity: { type: 'integer', minimum: 0, description: 'accepted for compatibility; the message is always shown' },
    },
  },
  needs: () => [],
  diff(_facts, args, ctx) {
    if (args.var !== undefined) {
      // A bare name or expression, as Ansible reads `var:`; shown as JSON.
      ctx.note(`${args.var}: ${JSON.stringify(ctx.test(`(${args.var}) is defined`) ? ctx.value(args.var) : 'VARIABLE IS NOT DEFINED!')}`);
    } else {
      ctx.note(typeof args.msg === 'string' ? args.msg : args.msg === undefined ? 'Hello world!' : JSON.stringify(args.msg));
    }
    return [];
  },
};

export default debug;
