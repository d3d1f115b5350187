// health_check: is portsyncd healthy on this switch? A probe: it changes nothing, and every check
// reports pass or fail with what it measured. Everything is read in the host's one gather exec;
// an optional self-test flaps a port first so the latency histogram has fresh events.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { probeHealth } from './probe.js';
import { flapArgv, httpArgv, linksArgv, portTableArgv, unitArgv } from './queries.js';
import { schema, type HealthCheckArgs } from './schema.js';

const healthCheck: Module<HealthCheckArgs> = {
  name: 'health_check',
  schema,
  needs(args) {
    const flap = flapArgv(args);
    return [
      { kind: 'cmd', argv: unitArgv(args) },
      ...(flap ? [{ kind: 'cmd' as const, argv: flap }] : []),
      { kind: 'cmd', argv: httpArgv(args, '/healthz') },
      { kind: 'cmd', argv: httpArgv(args, '/metrics') },
      { kind: 'cmd', argv: linksArgv() },
      { kind: 'cmd', argv: portTableArgv(args) },
    ] satisfies FactQuery[];
  },
  diff: () => [],
  probe: (facts, args) => probeHealth(facts, args),
};

export default healthCheck;
