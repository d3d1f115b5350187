// Args of vm: swappiness, overcommit and whether swap stays on.
import type { FromSchema } from '../_shared/schema-type.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    swappiness: { type: 'integer', minimum: 0, maximum: 200 },
    overcommit_memory: { enum: [0, 1, 2], description: '0 heuristic (kernel default), 1 always, 2 strict accounting' },
    swap: { enum: ['off', 'keep'], default: 'keep' },
  },
} as const;

export type VmArgs = FromSchema<typeof schema>;
