// Args of the systemd_unit module.
import type { FromSchema } from '../_shared/schema-type.js';
import { requires } from '../_shared/schema-parts.js';

const UNIT_TYPES = 'service|socket|timer|target|path|mount|automount|swap|slice|scope';
const iniValue = {
  anyOf: [{ type: 'string', pattern: '^[^\\n\\r]*$' }, { type: 'number' }, { type: 'boolean' }],
} as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      pattern: `^[A-Za-z0-9:_.\\\\-]+(@[A-Za-z0-9:_.\\\\-]*)?\\.(${UNIT_TYPES})$`,
      description: 'unit name, e.g. portsyncd.service',
    },
    dropin: {
      type: 'string',
      pattern: '^[A-Za-z0-9:_.@-]+$',
      description: 'write /etc/systemd/system/<name>.d/<dropin>.conf instead of the unit file',
    },
    template: {
      type: 'string',
      pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$)).+\\.hbs$',
      description: 'template under templates/ for the file content',
    },
    vars: { type: 'object', description: 'extra variables for the template' },
    sections: {
      type: 'object',
      description: 'file content as {Section: {Directive: value | [values]}}',
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9-]*$' },
      additionalProperties: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9-]*$' },
        additionalProperties: { anyOf: [...iniValue.anyOf, { type: 'array', items: iniValue }] },
      },
    },
    enabled: { type: 'boolean' },
    state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'] },
  },
  not: requires('template', 'sections'),
  dependencies: {
    dropin: { anyOf: [requires('template'), requires('sections')] },
    vars: ['template'],
  },
} as const;

export type SystemdUnitArgs = FromSchema<typeof schema>;
