// Args of thp: the transparent huge page modes (enabled, defrag).
import type { FromSchema } from '../_shared/schema-type.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { enum: ['always', 'madvise', 'never'] },
    defrag: { enum: ['always', 'madvise', 'never'] },
  },
} as const;

export type ThpArgs = FromSchema<typeof schema>;
