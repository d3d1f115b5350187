// Args of debug: Ansible's (msg or var, verbosity).
import type { FromSchema } from '../_shared/schema-type.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  not: { required: ['msg', 'var'], properties: { msg: true, var: true } },
  properties: {
    msg: { description: 'the message (any value; templated like every arg)' },
    var: { type: 'string', minLength: 1, description: 'an expression whose value is shown, e.g. "ansible_facts"' },
    verbosity: { type: 'integer', minimum: 0, description: 'accepted for compatibility; the message is always shown' },
  },
} as const;

export type DebugArgs = FromSchema<typeof schema>;
