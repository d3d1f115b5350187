// Args of the file module: Ansible's `file` (path, state, mode, owner, group, src for links).
import type { FromSchema } from '../_shared/schema-type.js';
import { modeSchema } from '../_shared/file-mode.js';
import { requires } from '../_shared/schema-parts.js';

const absolute = { type: 'string', pattern: '^/[^\\x00-\\x1f]*$' } as const;
const name = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' } as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { ...absolute, description: 'the file, directory or link on the target' },
    state: { type: 'string', enum: ['file', 'directory', 'absent', 'touch', 'link'], default: 'file' },
    mode: modeSchema,
    owner: name,
    group: name,
    src: { type: 'string', minLength: 1, pattern: '^[^\\x00-\\x1f]*$', description: 'what a link points to (state: link)' },
  },
  if: { properties: { state: { const: 'link' } } },
  then: requires('src'),
} as const;

export type FileArgs = FromSchema<typeof schema>;
