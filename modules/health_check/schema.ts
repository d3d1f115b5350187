// Args of health_check: where the daemon answers and the thresholds it is held to.
import type { FromSchema } from '../_shared/schema-type.js';

export const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    unit: { type: 'string', pattern: '^[A-Za-z0-9@._-]+\\.service$', default: 'portsyncd.service' },
    asics: { type: 'array', items: { type: 'string', pattern: '^asic[0-9]{1,3}$' }, maxItems: 64, uniqueItems: true, default: [] },
    http_port: { type: 'integer', minimum: 1, maximum: 65535, default: 9464 },
    redis_port: { type: 'integer', minimum: 1, maximum: 65535, default: 6379 },
    port_prefix: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', default: 'Ethernet' },
    max_restarts: { type: 'integer', minimum: 0, default: 0 },
    max_netlink_drops: { type: 'integer', minimum: 0, default: 0 },
    min_rcvbuf_bytes: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], default: null },
    max_p99_us: { type: 'number', exclusiveMinimum: 0, default: 5000 },
    min_events: { type: 'integer', minimum: 1, default: 100 },
    max_rss_mb: { type: 'number', exclusiveMinimum: 0, default: 128 },
    self_test_port: { anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9_.-]{1,15}$' }, { type: 'null' }], default: null },
    settle_seconds: { type: 'number', minimum: 0, maximum: 10, default: 0.3 },
    not_probed: { enum: ['fail', 'pass'], default: 'fail' },
    unit_absent: { enum: ['fail', 'pass'], default: 'fail' },
  },
} as const;

export type HealthCheckArgs = FromSchema<typeof schema>;
