// Args of daemon_scheduling: the unit, its drop-in, and the scheduling directives it sets.
import type { FromSchema } from '../_shared/schema-type.js';
import { cpuListSchema } from '../_tuning/cpu-list.js';
import { cpusArgSchema } from '../_tuning/host-cpus.js';

const limitSchema = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^(infinity|\\d+[KMGTPE]?)(:(infinity|\\d+[KMGTPE]?))?$' },
  ],
  description: 'a number, "infinity", or "soft:hard"',
} as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    unit: { type: 'string', pattern: '^[A-Za-z0-9@._-]+\\.service$', default: 'portsyncd.service' },
    dropin: { type: 'string', pattern: '^[A-Za-z0-9@._-]+\\.conf$', default: '50-scheduling.conf' },
    state: { enum: ['present', 'absent'], default: 'present' },
    notify: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    cpu_affinity: cpusArgSchema,
    numa_policy: { enum: ['default', 'preferred', 'bind', 'interleave', 'local'] },
    numa_mask: { anyOf: [cpuListSchema, { const: 'all', description: 'every NUMA node' }] },
    nice: { type: 'integer', minimum: -20, maximum: 19 },
    cpu_scheduling_policy: { enum: ['other', 'batch', 'idle', 'fifo', 'rr'] },
    cpu_scheduling_priority: { type: 'integer', minimum: 0, maximum: 99, description: '1-99 for fifo/rr, 0 otherwise' },
    limit_nofile: limitSchema,
    limit_nproc: limitSchema,
    limit_memlock: limitSchema,
  },
} as const;

export type DaemonSchedulingArgs = FromSchema<typeof schema>;
