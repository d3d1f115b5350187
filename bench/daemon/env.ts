// What every part of the daemon benchmark works on: the namespace with its
// ports, the running daemon, Redis clients and the independent kernel counter,
// plus the daemon's own counters read from its metrics endpoint.
import type { Redis } from 'ioredis';
import type { DaemonProc, Netns } from '../../test/daemon/helpers/env.js';
import { histogramQuantile, round } from './measure.js';
import type { KernelMonitor } from './monitor-client.js';

export interface Env {
  ns: Netns;
  d: DaemonProc;
  http: number;
  state: Redis;
  sub: Redis;
  mon: KernelMonitor;
  ports: string[];
}

const APPLIED_KEYS = ['portsyncd_netlink_events_total{type="newlink"}', 'portsyncd_netlink_events_total{type="dellink"}'];

export function daemonCounts(e: Env) {
  const m = e.d.metrics(e.http);
  return { applied: APPLIED_KEYS.reduce((s, k) => s + (m.get(k) ?? 0), 0), drops: m.get('portsyncd_netlink_socket_drops_total') ?? 0, m };
}

/** Processing latency between two scrapes, from the daemon's histogram (interpolated in a bucket). */
export function latencyQuantiles(before: Map<string, number>, after: Map<string, number>) {
  const q = (p: number) => round(histogramQuantile('portsyncd_event_latency_seconds', before, after, p) * 1e6);
  return { p50_us: q(0.5), p99_us: q(0.99), p999_us: q(0.999) };
}
