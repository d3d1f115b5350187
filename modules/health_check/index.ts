// health_check: is portsyncd healthy on this switch? A probe: every check reports pass or fail
// with what it measured. Its optional self-test flaps a port first, so the latency histogram has
// fresh events: an action of the probe phase (`act`), never part of a gather. On a multi-ASIC
// switch (`asics`) each portsyncd@<asic> instance is probed as well, inside its namespace.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { probeHealth } from './probe.js';
import { flapArgv, httpArgv, linksArgv, metricsBeforeArgv, portTableArgv, unitArgv } from './queries.js';
import { schema, type HealthCheckArgs } from './schema.js';

const healthCheck: Module<HealthCheckArgs> = {
  name: 'health_check',
  schema,
  needs(args, ctx) {
    if (ctx.offline) return [];
    return [
      { kind: 'cmd', argv: unitArgv(args) },
      { kind: 'cmd', argv: httpArgv(args, '/healthz') },
      { kind: 'cmd', argv: httpArgv(args, '/metrics') },
      { kind: 'cmd', argv: linksArgv() },
      { kind: 'cmd', argv: portTableArgv(args) },
      ...args.asics.flatMap((ns): FactQuery[] =>
        [
          unitArgv(args, ns),
          httpArgv(args, '/healthz', 'http', ns),
          httpArgv(args, '/metrics', 'http', ns),
          linksArgv(ns),
          portTableArgv(args, ns),
        ].map((argv) => ({ kind: 'cmd', argv })),
      ),
    ] satisfies FactQuery[];
  },
  diff: () => [],
  // The metrics are read just before the flap, so the latency P99 covers the flap's events alone.
  act(args, ctx) {
    const flap = flapArgv(args);
    return flap && !ctx.offline ? { before: [{ kind: 'cmd', argv: metricsBeforeArgv(args) }], argv: flap } : undefined;
  },
  // An offline root (chroot) runs nothing to probe: not probed, which fails unless the task says so.
  probe: (facts, args, ctx) =>
    ctx.offline
      ? [{ check: 'portsyncd health', ok: args.not_probed === 'pass', notProbed: true, value: 'not probed: offline root' }]
      : probeHealth(facts, args),
};

export default healthCheck;
