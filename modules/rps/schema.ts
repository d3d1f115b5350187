// Args of rps: the NICs (names or globs), the CPUs their rx queues steer to, optional RFS sizes.
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
    rps_sock_flow_entries: { type: 'integer', minimum: 0, maximum: 2147483647, description: 'global RFS table size (power of two)' },
    rps_flow_cnt: { type: 'integer', minimum: 0, description: 'RFS flow table size per rx queue' },
    state: { enum: ['present', 'absent'], default: 'present' },
  },
  if: { properties: { state: { const: 'present' } } },
  then: { required: ['cpus'], properties: { cpus: cpusArgSchema } },
} as const;

export type RpsArgs = FromSchema<typeof schema>;
