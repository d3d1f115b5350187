// Args of shell: Ansible's (a free-form line or cmd, chdir, creates, removes).
import type { FromSchema } from '../_shared/schema-type.js';

const absolutePath = { type: 'string', pattern: '^/[^\\x00-\\x1f]*$' } as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  oneOf: [
    { required: ['free_form'], properties: { free_form: true } },
    { required: ['cmd'], properties: { cmd: true } },
  ],
  properties: {
    free_form: { type: 'string', minLength: 1, description: 'the command line, run by /bin/sh -c' },
    cmd: { type: 'string', minLength: 1, description: 'the same, as an arg' },
    chdir: { ...absolutePath, description: 'run in this directory' },
    creates: { ...absolutePath, description: 'skip when this path exists' },
    removes: { ...absolutePath, description: 'skip when this path does not exist' },
  },
} as const;

export type ShellArgs = FromSchema<typeof schema>;
