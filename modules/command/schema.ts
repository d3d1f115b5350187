// Args of the command module.
import type { FromSchema } from '../_shared/schema-type.js';
import { requires } from '../_shared/schema-parts.js';

const absolutePath = { type: 'string', pattern: '^/[^\\x00-\\x1f]*$' } as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  oneOf: [requires('argv'), requires('cmd'), requires('free_form')],
  properties: {
    argv: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'program and arguments, run without a shell' },
    cmd: { type: 'string', minLength: 1, description: 'command line run by /bin/sh -c' },
    free_form: {
      type: 'string',
      minLength: 1,
      description: 'command line split into words as Ansible\'s command module splits it (no shell): "command: /usr/bin/x --flag"',
    },
    chdir: { ...absolutePath, description: 'run in this directory' },
    creates: { ...absolutePath, description: 'skip when this path exists' },
    removes: { ...absolutePath, description: 'skip when this path does not exist' },
    changed_when: { type: 'boolean', default: true, description: 'false: report ok even though the command ran' },
  },
} as const;

export type CommandArgs = FromSchema<typeof schema>;
