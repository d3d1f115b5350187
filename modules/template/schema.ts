// Args of the template module.
import type { FromSchema } from '../_shared/schema-type.js';
import { modeSchema } from '../_shared/file-mode.js';
import { targetPathSchema, validateSchema } from '../_shared/schema-parts.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['src', 'dest'],
  properties: {
    src: {
      type: 'string',
      pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$)).+\\.(hbs|j2)$',
      description:
        'Handlebars file under templates/ (e.g. "portsyncd-dropin.conf.hbs"), or a Jinja2 .j2 file from the playbook\'s templates/ folder',
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
    vars: { type: 'object', description: 'extra variables for the template, over the host vars' },
  },
} as const;

export type TemplateArgs = FromSchema<typeof schema>;
