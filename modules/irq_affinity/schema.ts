// Args of irq_affinity: the NICs (names or globs) and the CPUs their IRQs are pinned to.
import type { FromSchema } from '../_shared/schema-type.js';
import { patternListSchema } from '../_tuning/interfaces.js';
import { cpusArgSchema } from '../_tuning/host-cpus.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['interfaces'],
  properties: {
    interfaces: patternListSchema,
    cpus: cpusArgSchema,
    state: { enum: ['present', 'absent'], default: 'present' },
  },
  if: { properties: { state: { const: 'present' } } },
  then: { required: ['cpus'], properties: { cpus: cpusArgSchema } },
} as const;

export type IrqAffinityArgs = FromSchema<typeof schema>;
