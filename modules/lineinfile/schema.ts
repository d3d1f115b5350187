// Args of lineinfile: Ansible's (path, line, regexp, state, insertafter, insertbefore, create).
import type { FromSchema } from '../_shared/schema-type.js';
import { modeSchema } from '../_shared/file-mode.js';
import { requires } from '../_shared/schema-parts.js';

const name = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' } as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', pattern: '^/[^\\x00-\\x1f]*$', description: 'the file on the target' },
    line: { type: 'string', pattern: '^[^\\n]*$', description: 'the line that must be there (one line)' },
    regexp: { type: 'string', minLength: 1, maxLength: 1000, description: 'the line to replace (the last match), or to remove' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    insertafter: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      description: 'EOF, or a regular expression: insert after its last match',
    },
    insertbefore: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      description: 'BOF, or a regular expression: insert before its last match',
    },
    create: { type: 'boolean', default: false, description: 'create the file when it is missing' },
    mode: modeSchema,
    owner: name,
    group: name,
  },
  allOf: [
    { if: { properties: { state: { const: 'present' } } }, then: requires('line') },
    { not: requires('insertafter', 'insertbefore') },
  ],
} as const;

export type LineInFileArgs = FromSchema<typeof schema>;
