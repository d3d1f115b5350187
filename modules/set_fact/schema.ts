// Args of set_fact: the variables to set, by name (plus Ansible's `cacheable`).
import type { FromSchema } from '../_shared/schema-type.js';

export const schema = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  properties: { cacheable: { type: 'boolean', description: 'accepted for compatibility; facts are not cached between runs' } },
} as const;

export type SetFactArgs = FromSchema<typeof schema>;
