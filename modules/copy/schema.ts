// Args of the copy module.
import type { FromSchema } from '../_shared/schema-type.js';
import { requires, targetPathSchema, validateSchema } from '../_shared/schema-parts.js';
import { modeSchema } from '../_shared/file-mode.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['dest'],
  oneOf: [requires('content'), requires('src')],
  properties: {
    content: { type: 'string', description: 'literal file content' },
    src: {
      type: 'string',
      minLength: 1,
      description: 'file on the control machine: absolute, or relative to the playbook directory',
    },
    dest: targetPathSchema,
    follow: {
      type: 'boolean',
      default: false,
      description: 'when dest is a symlink: true writes the file it points to, false replaces the link with a file',
    },
    mode: modeSchema,
    owner: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
    group: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
    validate: validateSchema,
  },
} as const;

export type CopyArgs = FromSchema<typeof schema>;
