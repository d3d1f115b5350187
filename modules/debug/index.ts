// debug: Ansible's debug module. Shows a message or a variable's value as the task's result;
// changes nothing and reads nothing from the host.
import type { Module } from '../../src/module.js';
import { schema, type DebugArgs } from './schema.js';

const debug: Module<DebugArgs> = {
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  schema,
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
