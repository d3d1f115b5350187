// Args of assert: Ansible's (that, fail_msg, msg, success_msg, quiet).
import type { FromSchema } from '../_shared/schema-type.js';

const condition = { type: ['string', 'boolean'] } as const;

export const schema = {
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
} as const;

export type AssertArgs = FromSchema<typeof schema>;
