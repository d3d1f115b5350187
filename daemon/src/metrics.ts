// The daemon's metrics, all prefixed portsyncd_ and in base units.
import { getHeapStatistics } from 'node:v8';
import type { LinkTracker } from './core/tracker.js';
import type { NetlinkSocket } from './netlink/socket.js';
import { Counter, Histogram, Registry, Sampled } from './obs/metrics.js';
import { readNetlinkDrops, readProcCounters } from './obs/proc.js';

// 5 µs steps up to 100 µs and 10 µs steps up to 200 µs, where the median
// lives, so a quantile is not just the nearest of a few coarse bounds.
const US = 1e-6;
const LATENCY_BUCKETS = [
  ...Array.from({ length: 20 }, (_, i) => (i + 1) * 5 * US),
  ...Array.from({ length: 10 }, (_, i) => (110 + i * 10) * US),
  ...[250, 300, 400, 500, 750, 1000, 2000, 5000, 10000, 50000, 100000, 500000, 1000000].map((us) => us * US),
];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384];

export interface MetricSources {
  tracker: LinkTracker;
  nl: NetlinkSocket;
  inode: number;
  requestedRcvbuf: number;
  redisConnected(): boolean;
  pendingPorts(): number;
  /** What /healthz answers (200 when true), so alerting can see it without scraping /healthz. */
  healthy(): boolean;
}

export class DaemonMetrics {
  private readonly reg = new Registry();
  readonly latency = this.reg.add(
    new Histogram(
      'portsyncd_event_latency_seconds',
      'Netlink read returning the latest state of a port to the Redis acknowledgement of the write carrying it; one observation per port per write',
      LATENCY_BUCKETS,
    ),
  );
  readonly batchSize = this.reg.add(new Histogram('portsyncd_batch_size_messages', 'Netlink messages read per wake-up', BATCH_BUCKETS));
  readonly pipelinePorts = this.reg.add(new Histogram('portsyncd_write_ports', 'Port updates per Redis write', BATCH_BUCKETS));
  readonly redisWrites = this.reg.add(new Counter('portsyncd_redis_writes_total', 'Redis write commands acknowledged'));
  readonly nativeWrites = this.reg.add(
    new Counter('portsyncd_redis_native_writes_total', 'Of the Redis writes, those the native lane made (isolated changes)'),
  );
  readonly redisErrors = this.reg.add(new Counter('portsyncd_redis_errors_total', 'Failed Redis writes (retried)'));
  readonly drops = this.reg.add(
    new Counter('portsyncd_netlink_drops_total', 'Netlink receive queue overflows (ENOBUFS) seen by the daemon'),
  );
  readonly resyncs = this.reg.add(
    new Counter('portsyncd_resyncs_total', 'Resyncs from a fresh kernel dump, by reason', [{ reason: 'enobufs' }, { reason: 'truncated' }]),
  );
  readonly dumps = this.reg.add(new Counter('portsyncd_netlink_dumps_total', 'RTM_GETLINK dump requests sent'));
  readonly notConfigured = this.reg.add(
    new Counter(
      'portsyncd_ports_not_configured_total',
      'Port updates not written to STATE_DB: the name is in neither APPL_DB PORT_TABLE nor CONFIG_DB PORT',
    ),
  );
  readonly fullSyncs = this.reg.add(new Counter('portsyncd_redis_reconciles_total', 'Full STATE_DB reconciles to the kernel model'));
  private readonly started = Date.now();

  bind(s: MetricSources): void {
    const r = this.reg;
    const c = s.tracker.counters;
    r.add(
      new Sampled('portsyncd_netlink_events_total', 'Netlink messages processed, by type', 'counter', () => [
        [{ type: 'newlink' }, c.newlink],
        [{ type: 'dellink' }, c.dellink],
        [{ type: 'dump_reply' }, c.dumpReplies],
        [{ type: 'ignored' }, c.ignored],
        [{ type: 'stale_ifindex' }, c.stale],
        [{ type: 'malformed' }, c.malformed],
      ]),
    );
    r.add(
      new Sampled('portsyncd_netlink_rcvbuf_bytes', 'Effective netlink receive buffer (getsockopt SO_RCVBUF)', 'gauge', () => [
        [undefined, s.nl.rcvbuf],
      ]),
    );
    r.add(
      new Sampled('portsyncd_netlink_rcvbuf_requested_bytes', 'Requested netlink receive buffer', 'gauge', () => [
        [undefined, s.requestedRcvbuf],
      ]),
    );
    r.add(
      new Sampled('portsyncd_netlink_socket_drops_total', 'Drops column of this socket in /proc/net/netlink', 'counter', () => [
        [undefined, readNetlinkDrops(s.inode) ?? 0],
      ]),
    );
    r.add(
      new Sampled('portsyncd_netlink_read_buffer_grows_total', 'Read buffer grown for an oversized datagram', 'counter', () => [
        [undefined, s.nl.grows],
      ]),
    );
    r.add(new Sampled('portsyncd_dumps_completed_total', 'Kernel dumps read to the end', 'counter', () => [[undefined, c.dumpsCompleted]]));
    r.add(
      new Sampled('portsyncd_ports', 'Ports known from the kernel, by oper status', 'gauge', () => {
        let up = 0;
        for (const p of s.tracker.ports.values()) if (p.oper) up++;
        return [
          [{ oper_status: 'up' }, up],
          [{ oper_status: 'down' }, s.tracker.ports.size - up],
        ];
      }),
    );
    r.add(new Sampled('portsyncd_pending_ports', 'Port updates waiting for Redis', 'gauge', () => [[undefined, s.pendingPorts()]]));
    r.add(
      new Sampled('portsyncd_redis_connected', '1 when every Redis connection is ready', 'gauge', () => [
        [undefined, s.redisConnected() ? 1 : 0],
      ]),
    );
    r.add(
      new Sampled('portsyncd_healthy', '1 when /healthz answers 200 (initial sync done, Redis and netlink fine)', 'gauge', () => [
        [undefined, s.healthy() ? 1 : 0],
      ]),
    );
    r.add(
      new Sampled('portsyncd_process_cpu_seconds_total', 'User and system CPU time', 'counter', () => {
        const u = process.cpuUsage();
        return [
          [{ mode: 'user' }, u.user / 1e6],
          [{ mode: 'system' }, u.system / 1e6],
        ];
      }),
    );
    r.add(
      new Sampled('portsyncd_process_resident_memory_bytes', 'Resident set size', 'gauge', () => [[undefined, process.memoryUsage.rss()]]),
    );
    r.add(
      new Sampled(
        'portsyncd_heap_bytes',
        'V8 heap: used and reserved (total), and memory outside it held by JS objects (external)',
        'gauge',
        () => {
          const h = getHeapStatistics();
          return [
            [{ kind: 'used' }, h.used_heap_size],
            [{ kind: 'total' }, h.total_heap_size],
            [{ kind: 'external' }, h.external_memory],
          ];
        },
      ),
    );
    r.add(
      new Sampled('portsyncd_process_start_time_seconds', 'Start time since the epoch', 'gauge', () => [[undefined, this.started / 1000]]),
    );
    r.add(
      new Sampled('portsyncd_process_context_switches_total', 'Context switches from /proc/self/status', 'counter', () => {
        const p = readProcCounters();
        return [
          [{ kind: 'voluntary' }, p.voluntaryCtxt],
          [{ kind: 'involuntary' }, p.involuntaryCtxt],
        ];
      }),
    );
    r.add(
      new Sampled('portsyncd_process_page_faults_total', 'Page faults from /proc/self/stat', 'counter', () => {
        const p = readProcCounters();
        return [
          [{ kind: 'minor' }, p.minorFaults],
          [{ kind: 'major' }, p.majorFaults],
        ];
      }),
    );
  }

  batch(messages: number): void {
    this.batchSize.observe(messages);
  }

  written(ops: number, batch: ReadonlyMap<string, { receivedAt: number }>, ackedAt: number): void {
    this.redisWrites.inc(ops);
    if (batch.size > 0) this.pipelinePorts.observe(batch.size);
    for (const p of batch.values()) this.latency.observe((ackedAt - p.receivedAt) / 1e3);
  }

  render(): string {
    return this.reg.render();
  }
}
