// Args of io_scheduler: the block devices (names or globs) and their I/O scheduler.
import type { FromSchema } from '../_shared/schema-type.js';
import { patternListSchema } from '../_tuning/interfaces.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['devices', 'scheduler'],
  properties: {
    devices: patternListSchema,
    scheduler: { type: 'string', pattern: '^[a-z0-9_-]+$', description: 'e.g. none, mq-deadline, kyber, bfq' },
  },
} as const;

export type IoSchedulerArgs = FromSchema<typeof schema>;
