// Args of health_check: where the daemon answers and the thresholds it is held to.
export interface HealthCheckArgs {
  unit: string;
  /** ASIC namespaces whose portsyncd@<asic> instances are probed too, each in its namespace. */
  asics: string[];
  http_port: number;
  redis_port: number;
  /** Kernel links whose STATE_DB entry must match, by name prefix. */
  port_prefix: string;
  max_restarts: number;
  max_netlink_drops: number;
  /** null: the receive buffer the daemon requested (its configured one). */
  min_rcvbuf_bytes: number | null;
  max_p99_us: number;
  /** Without a self-test, a P99 over fewer events (the start-up dump) is not judged. */
  min_events: number;
  max_rss_mb: number;
  /** A port flapped (down, up) before the metrics are read, so the latency histogram has fresh events. */
  self_test_port: string | null;
  /** Seconds the daemon gets to write the flap to Redis before it is read. */
  settle_seconds: number;
  /** A check that could not run (offline root, a tool missing on the switch) fails unless 'pass'. */
  not_probed: 'fail' | 'pass';
  /** 'pass': a switch without the unit passes (a play that runs before the first deploy). */
  unit_absent: 'fail' | 'pass';
}

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
