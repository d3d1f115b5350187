// Args of the template module.
import { modeSchema } from '../_shared/file-mode.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['src', 'dest'],
  properties: {
    src: {
      type: 'string',
      pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$)).+\\.(hbs|j2)$',
      description: 'Handlebars file under templates/ (e.g. "portsyncd-dropin.conf.hbs"), or a Jinja2 .j2 file from the playbook\'s templates/ folder',
    },
    dest: { type: 'string', pattern: '^/[^\\x00-\\x1f]+$', description: 'absolute path on the target' },
    mode: modeSchema,
    owner: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
    group: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
    validate: {
      type: 'string',
      pattern: '%s',
      description: 'command run on the temp file before it replaces dest; %s is the temp file path',
    },
    vars: { type: 'object', description: 'extra variables for the template, over the host vars' },
  },
} as const;

export interface TemplateArgs {
  src: string;
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  validate?: string;
  vars?: Record<string, unknown>;
}
