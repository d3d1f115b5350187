// portsyncd benchmark: live absorption (1 and 2 ip -batch generators), drain
// rate after SIGSTOP/SIGCONT, end-to-end latency to the Redis keyspace
// notification beside a bare Redis round trip, CPU per event at a paced
// 15K kernel events/s, a sweep over event rates (sweep.ts: 5K, 15K, 25K/s and
// unpaced), and RSS over a soak at 15K/s. Kernel events are counted by an
// independent netlink monitor (monitor.ts), not by the daemon. Every figure
// except the soak is measured --runs times; the summary holds medians.
// Each run also measures the latency floor in the same run: a C netlink -> hiredis
// forwarder (forwarder.c) under the same probe, while the daemon is held stopped.
// Run as root after `npm run build`:
//   node dist/bench/daemon/run.js [--runs 3] [--sweep-seconds 10] [--soak-seconds 600]
//     [--daemon artifact|dist]   (default: the shipped artifact, as on a switch; subject.ts)
//     [--node-args="..."]   (node on daemon/dist/main.js with exactly these flags, e.g. --cpu-prof)
//     [--min-write-interval-ms N]   (the daemon's redis.min_write_interval_ms; default: the daemon's own)
//     [--native-writes on|off]   (the daemon's redis.native_writes; default: the daemon's own, on)
//     [--daemon-cpus LIST] [--redis-cpus LIST]   (taskset CPU lists for the daemon and redis-server)
//     [--latency-only]   (per run only the isolated-change latency of the daemon and of the forwarder)
// --sweep-seconds 0 leaves the sweep out; --soak-seconds 0 the soak.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { configurePorts, converged, DaemonProc, flapLines, Netns, RedisServer, repoRoot, sleep } from '../../test/daemon/helpers/env.js';
import { daemonCounts, latencyQuantiles, type Env } from './env.js';
import { ipBatch, pace } from './generators.js';
import { contextSwitches, cpuSeconds, median, pct, round, rssBytes, rssSplitMb } from './measure.js';
import { buildForwarder, Forwarder } from './forwarder.js';
import { KernelMonitor } from './monitor-client.js';
import { subject } from './subject.js';
import { calibratedRate, eventsPerToggle, sweep } from './sweep.js';

const { values } = parseArgs({
  options: {
    'soak-seconds': { type: 'string', default: '120' },
    runs: { type: 'string', default: '3' },
    ports: { type: 'string', default: '32' },
    daemon: { type: 'string', default: 'artifact' },
    'node-args': { type: 'string' },
    'min-write-interval-ms': { type: 'string' },
    'native-writes': { type: 'string' },
    'daemon-cpus': { type: 'string' },
    'redis-cpus': { type: 'string' },
    'sweep-seconds': { type: 'string', default: '10' },
    'latency-only': { type: 'boolean', default: false },
  },
});
const LATENCY_ONLY = values['latency-only']!;
const SOAK_S = Number(values['soak-seconds']);
const RUNS = Number(values.runs);
const PORTS = Number(values.ports);
const MIN_WRITE_INTERVAL_MS = values['min-write-interval-ms'] === undefined ? undefined : Number(values['min-write-interval-ms']);
const NATIVE_WRITES = values['native-writes'] === undefined ? undefined : values['native-writes'] === 'on';
const PACED_RATE = 15000;
const SWEEP_S = Number(values['sweep-seconds']);

/** Pins every thread of pid to the CPU list, as systemd's CPUAffinity= would. */
function pin(pid: number | undefined, cpus: string | undefined): void {
  if (pid === undefined || cpus === undefined) return;
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`taskset -c ${cpus} ${pid} failed`);
}

/** Resolves when no keyspace notification has arrived for quietMs; returns the time of the last one. */
async function notificationsQuiet(sub: Redis, quietMs: number): Promise<bigint> {
  let last = process.hrtime.bigint();
  const onMsg = () => (last = process.hrtime.bigint());
  sub.on('pmessage', onMsg);
  while (Number(process.hrtime.bigint() - last) / 1e6 < quietMs) await sleep(quietMs / 4);
  sub.off('pmessage', onMsg);
  return last;
}

async function absorption(e: Env, generators: number) {
  const k0 = await e.mon.settled();
  const before = daemonCounts(e);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: generators }, (_, g) =>
      ipBatch(
        e.ns.name,
        flapLines(
          e.ports.filter((_, i) => i % generators === g),
          40000 / generators,
          11 + g,
        ),
      ),
    ),
  );
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await converged(e.ns, e.state, 60000);
  const kernel = (await e.mon.settled()) - k0;
  const after = daemonCounts(e);
  const applied = after.applied - before.applied;
  return {
    generators,
    kernel_events: kernel,
    applied,
    socket_drops: after.drops - before.drops,
    ratio: round(applied / kernel, 4),
    kernel_rate_per_s: Math.round(kernel / genSeconds),
    redis_equals_kernel: true,
  };
}

async function drain(e: Env, seed: number) {
  const pid = e.d.proc.pid!;
  const before = daemonCounts(e);
  const k0 = await e.mon.settled();
  e.d.signal('SIGSTOP');
  await ipBatch(e.ns.name, flapLines(e.ports, 12000, seed));
  const queued = (await e.mon.settled()) - k0;
  const cpu0 = cpuSeconds(pid);
  const quiet = notificationsQuiet(e.sub, 300);
  const t0 = process.hrtime.bigint();
  e.d.signal('SIGCONT');
  const last = await quiet; // no synchronous work in this process until the drain is over
  const cpu = cpuSeconds(pid) - cpu0;
  await converged(e.ns, e.state, 60000);
  const after = daemonCounts(e);
  const seconds = Number(last - t0) / 1e9;
  return {
    queued_events: queued,
    applied: after.applied - before.applied,
    socket_drops: after.drops - before.drops,
    seconds: round(seconds, 4),
    events_per_s: Math.round(queued / seconds),
    cpu_seconds: round(cpu, 3),
    events_per_cpu_s: Math.round(queued / Math.max(cpu, 0.01)),
  };
}

async function latency(e: Env) {
  const before = daemonCounts(e).m;
  const p = await probe(e);
  return { ...p, processing: latencyQuantiles(before, daemonCounts(e).m) };
}

/** The same probe with the C forwarder writing instead of the daemon (held with SIGSTOP meanwhile). */
async function forwarderLatency(e: Env, bin: string, redisSocket: string) {
  const port = e.ports[0]!;
  await ipBatch(e.ns.name, [`link set ${port} down`]);
  await converged(e.ns, e.state);
  e.d.signal('SIGSTOP');
  const fwd = new Forwarder(e.ns, bin, redisSocket);
  try {
    await fwd.ready();
    return { ...(await probe(e, false)), cpu_seconds: round(cpuSeconds(fwd.pid!), 3), rss_mb: round(rssBytes(fwd.pid!) / 2 ** 20) };
  } finally {
    await fwd.stop();
    e.d.signal('SIGCONT');
    await converged(e.ns, e.state, 60000);
  }
}

/** 400 toggles 5 ms apart, each timed from the ip command to its keyspace notification, beside a bare PING. */
async function probe(e: Env, settle = true) {
  const port = e.ports[0]!;
  if (settle) {
    await ipBatch(e.ns.name, [`link set ${port} down`]); // a known state, so every toggle below changes it
    await converged(e.ns, e.state);
  }
  const ip = spawn('ip', ['-n', e.ns.name, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  await sleep(200);
  const e2e: number[] = [];
  const rtt: number[] = [];
  let missed = 0;
  let up = false;
  for (let i = 0; i < 400; i++) {
    up = !up;
    let onMsg: () => void = () => {};
    const seen = new Promise<bigint | undefined>((resolve) => {
      onMsg = () => resolve(process.hrtime.bigint());
      e.sub.once('pmessage', onMsg);
      setTimeout(() => resolve(undefined), 2000);
    });
    const t0 = process.hrtime.bigint();
    ip.stdin.write(`link set ${port} ${up ? 'up' : 'down'}\n`);
    const at = await seen;
    e.sub.off('pmessage', onMsg);
    if (at === undefined) missed++;
    else e2e.push(Number(at - t0) / 1e3);
    await sleep(5);
    const r0 = process.hrtime.bigint();
    await e.state.ping();
    rtt.push(Number(process.hrtime.bigint() - r0) / 1e3);
  }
  ip.stdin.end();
  await sleep(100);
  return {
    samples: e2e.length,
    missed,
    e2e_us: { p50: round(pct(e2e, 50)), p99: round(pct(e2e, 99)) },
    redis_rtt_us: { p50: round(pct(rtt, 50)), p99: round(pct(rtt, 99)) },
  };
}

/** Paced load at PACED_RATE kernel events/s (calibrated as the sweep's rates are), held for `seconds`, sampling RSS. */
async function paced(e: Env, seconds: number, rssEveryS: number) {
  const pid = e.d.proc.pid!;
  const commandsPerS = await calibratedRate(e, e.ports, await eventsPerToggle(e, e.ports), PACED_RATE, 2);
  const before = daemonCounts(e);
  const k0 = await e.mon.settled();
  const cpu0 = cpuSeconds(pid);
  const cs0 = contextSwitches(pid);
  const rss: Array<[number, number]> = [];
  const t0 = Date.now();
  const wall = await pace(e.ns.name, e.ports, commandsPerS, seconds, rssEveryS, (el) => {
    rss.push([Math.round(el), round(rssBytes(pid) / 2 ** 20)]);
    if (seconds > 60) console.log(JSON.stringify({ soak_rss_mb: rss.at(-1) })); // progress of a long soak
  });
  const kernel = (await e.mon.settled()) - k0;
  const cpu = cpuSeconds(pid) - cpu0;
  const cs = contextSwitches(pid) - cs0;
  const after = daemonCounts(e);
  rss.push([Math.round((Date.now() - t0) / 1000), round(rssBytes(pid) / 2 ** 20)]);
  const mb = rss.map(([, v]) => v);
  return {
    seconds: round(wall),
    toggles_per_s: Math.round(commandsPerS),
    kernel_events: kernel,
    kernel_events_per_s: Math.round(kernel / wall),
    applied: after.applied - before.applied,
    socket_drops: after.drops - before.drops,
    cpu_us_per_event: round((cpu * 1e6) / kernel, 2),
    cpu_percent_of_core: round((cpu / wall) * 100),
    context_switches_per_s: Math.round(cs / wall),
    processing: latencyQuantiles(before.m, after.m),
    rss_mb: { first: mb[0]!, last: mb.at(-1)!, max: Math.max(...mb) },
    rss_series_mb: rss,
    rss_end_split_mb: rssSplitMb(pid),
  };
}

function medians(runs: Array<Record<string, unknown>>) {
  const path = (o: unknown, keys: string[]): number => keys.reduce((v: any, k) => v?.[k], o) as number;
  const m = (...keys: string[]) => median(runs.map((r) => path(r, keys)));
  const pacedMedians = runs[0]?.paced
    ? {
        paced_kernel_events_per_s: m('paced', 'kernel_events_per_s'),
        paced_cpu_us_per_event: m('paced', 'cpu_us_per_event'),
        paced_cpu_percent_of_core: m('paced', 'cpu_percent_of_core'),
        paced_context_switches_per_s: m('paced', 'context_switches_per_s'),
        paced_processing_p50_us: m('paced', 'processing', 'p50_us'),
        paced_processing_p99_us: m('paced', 'processing', 'p99_us'),
        paced_rss_max_mb: m('paced', 'rss_mb', 'max'),
      }
    : {};
  return {
    absorption_ratio_1gen: m('absorption_1', 'ratio'),
    absorption_ratio_2gen: m('absorption_2', 'ratio'),
    kernel_rate_per_s_1gen: m('absorption_1', 'kernel_rate_per_s'),
    kernel_rate_per_s_2gen: m('absorption_2', 'kernel_rate_per_s'),
    drain_events_per_s: m('drain', 'events_per_s'),
    drain_events_per_cpu_s: m('drain', 'events_per_cpu_s'),
    processing_p50_us: m('latency', 'processing', 'p50_us'),
    processing_p99_us: m('latency', 'processing', 'p99_us'),
    e2e_p50_us: m('latency', 'e2e_us', 'p50'),
    e2e_p99_us: m('latency', 'e2e_us', 'p99'),
    redis_rtt_p50_us: m('latency', 'redis_rtt_us', 'p50'),
    redis_rtt_p99_us: m('latency', 'redis_rtt_us', 'p99'),
    forwarder_e2e_p50_us: m('forwarder_latency', 'e2e_us', 'p50'),
    forwarder_e2e_p99_us: m('forwarder_latency', 'e2e_us', 'p99'),
    // The targets, per run then the median: p99 within 2x and p50 within 50 us of the floor.
    e2e_p99_over_floor: median(runs.map((r: any) => r.latency.e2e_us.p99 / r.forwarder_latency.e2e_us.p99)),
    e2e_p50_minus_floor_us: median(runs.map((r: any) => r.latency.e2e_us.p50 - r.forwarder_latency.e2e_us.p50)),
    loadavg_1min: median(runs.map((r: any) => r.loadavg[0])),
    ...pacedMedians,
  };
}

async function main() {
  const ns = new Netns();
  const redis = new RedisServer(ns.dir);
  let d: DaemonProc | undefined;
  let mon: KernelMonitor | undefined;
  try {
    await redis.start();
    const forwarderBin = buildForwarder(ns.dir);
    const ports = ns.addPorts(Array.from({ length: PORTS }, (_, i) => i * 4));
    await configurePorts(redis, ports); // the default: STATE_DB for configured ports
    mon = new KernelMonitor(ns, join(dirname(fileURLToPath(import.meta.url)), 'monitor.js'));
    await mon.ready();
    // The unix socket, as SONiC's services reach redis.
    const daemon = subject(values.daemon!, values['node-args'], ns.dir);
    d = new DaemonProc(ns, {
      redis: { unix_socket: redis.socket, min_write_interval_ms: MIN_WRITE_INTERVAL_MS, native_writes: NATIVE_WRITES },
      command: daemon.command,
      nodeArgs: daemon.nodeArgs,
      env: daemon.env,
    });
    const http = await d.ready();
    pin(d.proc.pid, values['daemon-cpus']);
    pin(redis.pid, values['redis-cpus']);
    const e: Env = { ns, d, http, state: redis.client(6), sub: redis.client(6), mon, ports };
    await e.sub.psubscribe('__keyspace@6__:PORT_TABLE|*');
    await converged(ns, e.state);
    await sleep(1000);
    const results: Record<string, unknown> = {
      when: new Date().toISOString(),
      ports: PORTS,
      daemon: daemon.label,
      min_write_interval_ms: MIN_WRITE_INTERVAL_MS ?? 'default',
      native_writes: NATIVE_WRITES ?? 'default',
      daemon_cpus: values['daemon-cpus'] ?? 'any',
      redis_cpus: values['redis-cpus'] ?? 'any',
      idle_rss_mb: round(rssBytes(d.proc.pid!) / 2 ** 20),
    };
    const runs: Array<Record<string, unknown>> = [];
    for (let r = 0; r < RUNS; r++) {
      const run: Record<string, unknown> = { loadavg: loadavg().map((x) => round(x, 2)) };
      if (!LATENCY_ONLY) {
        run.absorption_1 = await absorption(e, 1);
        run.absorption_2 = await absorption(e, 2);
        run.drain = await drain(e, 21 + r);
      }
      run.latency = await latency(e);
      run.forwarder_latency = await forwarderLatency(e, forwarderBin, redis.socket);
      if (SWEEP_S === 0 && !LATENCY_ONLY) run.paced = await paced(e, 10, 2); // else the sweep's 15K rate measures it
      console.log(JSON.stringify(run));
      runs.push(run);
    }
    results.runs = runs;
    results.medians = medians(runs);
    console.log(JSON.stringify(results.medians));
    if (SWEEP_S > 0 && !LATENCY_ONLY) results.sweep = await sweep(e, SWEEP_S, RUNS, (line) => console.log(line));
    if (SOAK_S > 0 && !LATENCY_ONLY) {
      results.soak = await paced(e, SOAK_S, Math.max(5, SOAK_S / 60));
      console.log(JSON.stringify(results.soak));
    }
    await converged(ns, e.state, 60000);
    results.final_redis_equals_kernel = true;
    results.monitor_overflows = mon.overflows;
    const dir = join(repoRoot(), 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `daemon-${results.when as string}.json`.replace(/:/g, '-'));
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    console.log(`written ${file}`);
  } finally {
    // SIGTERM as systemd stops it, so that node writes what --cpu-prof and the like collected.
    if (d) await Promise.race([d.terminate(), sleep(3000)]);
    await d?.kill();
    await mon?.stop();
    await redis.stop();
    ns.destroy();
  }
}

await main();
