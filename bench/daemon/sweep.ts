// Rate sweep of portsyncd: paced load at fixed kernel event rates (5K, 15K,
// 25K events/s) and unpaced load from two generators (the maximum the kernel
// and ip produce here). At each rate: achieved kernel rate (independent
// monitor), processing latency P50/P99/P99.9 from the daemon's histogram, CPU
// (% of a core over the load, µs per event), socket drops, end-to-end latency
// of a probe port toggled 20 times a second beside the load, and Redis equal
// to the kernel once it has settled. Every rate runs `runs` times; the entry
// holds medians and the runs beside them.
import { converged, sleep } from '../../test/daemon/helpers/env.js';
import { daemonCounts, latencyQuantiles, type Env } from './env.js';
import { ipBatch, pace, unpaced } from './generators.js';
import { contextSwitches, cpuSeconds, median, pct, round, toggleLines } from './measure.js';
import { $ } from 'zx';

export const SWEEP_TARGETS: Array<number | 'max'> = [5000, 15000, 25000, 'max'];
const PROBE_EVERY_MS = 50;

/** Kernel events per `link set` toggle (the port, its veth peer, carrier), measured in a burst. */
export async function eventsPerToggle(e: Env, ports: string[]): Promise<number> {
  const k0 = await e.mon.settled();
  const n = ports.length * 50;
  await ipBatch(e.ns.name, toggleLines(ports, n));
  return ((await e.mon.settled()) - k0) / n;
}

/**
 * Toggles per second that give `target` kernel events/s: the burst ratio,
 * corrected by a trial at that pace (carrier changes coalesce differently when
 * spread out).
 */
export async function calibratedRate(e: Env, ports: string[], perToggle: number, target: number, trialS: number): Promise<number> {
  const k0 = await e.mon.settled();
  const s = await pace(e.ns.name, ports, target / perToggle, trialS, trialS, () => {});
  const trialRate = ((await e.mon.settled()) - k0) / s;
  return (target / perToggle) * (target / trialRate);
}

/** Toggles `port` every PROBE_EVERY_MS and times each change to its first keyspace notification. */
function probe(e: Env, port: string) {
  const ip = $({ nothrow: true, quiet: true })`exec ip -n ${e.ns.name} -force -batch -`;
  const channel = `PORT_TABLE|${port}`;
  const samples: number[] = [];
  let sentAt: bigint | undefined;
  let sent = 0;
  const onMsg = (_p: string, ch: string) => {
    if (sentAt === undefined || !ch.endsWith(channel)) return;
    samples.push(Number(process.hrtime.bigint() - sentAt) / 1e3);
    sentAt = undefined;
  };
  e.sub.on('pmessage', onMsg);
  const timer = setInterval(() => {
    sent++;
    sentAt = process.hrtime.bigint();
    ip.stdin.write(`link set ${port} ${sent % 2 ? 'down' : 'up'}\n`);
  }, PROBE_EVERY_MS);
  return async () => {
    clearInterval(timer);
    ip.stdin.end();
    await ip;
    e.sub.off('pmessage', onMsg);
    return { samples: samples.length, missed: sent - samples.length, p50: round(pct(samples, 50)), p99: round(pct(samples, 99)) };
  };
}

/** One run at one rate. */
async function point(e: Env, target: number | 'max', seconds: number, perToggle: number) {
  const [probePort, ...ports] = e.ports as [string, ...string[]];
  const pid = e.d.proc.pid!;
  const commandsPerS = target === 'max' ? undefined : await calibratedRate(e, ports, perToggle, target, Math.min(2, seconds));
  await converged(e.ns, e.state, 60000);
  const before = daemonCounts(e);
  const k0 = await e.mon.settled();
  const cpu0 = cpuSeconds(pid);
  const cs0 = contextSwitches(pid);
  const stopProbe = probe(e, probePort);
  const wall =
    commandsPerS === undefined
      ? await unpaced(e.ns.name, ports, 2, seconds)
      : await pace(e.ns.name, ports, commandsPerS, seconds, seconds, () => {});
  const e2e = await stopProbe();
  const kernel = (await e.mon.settled()) - k0;
  const cpu = cpuSeconds(pid) - cpu0;
  const cs = contextSwitches(pid) - cs0;
  await converged(e.ns, e.state, 60000); // throws when Redis does not come to equal the kernel
  const after = daemonCounts(e);
  return {
    seconds: round(wall, 2),
    kernel_events: kernel,
    kernel_events_per_s: Math.round(kernel / wall),
    applied: after.applied - before.applied,
    socket_drops: after.drops - before.drops,
    cpu_percent_of_core: round((cpu / wall) * 100),
    cpu_us_per_event: round((cpu * 1e6) / kernel, 2),
    context_switches_per_s: Math.round(cs / wall),
    processing: latencyQuantiles(before.m, after.m),
    e2e_us: e2e,
    redis_equals_kernel: true,
  };
}

type Point = Awaited<ReturnType<typeof point>>;

/** Medians over the runs of one rate, in the layout of a single run, with the runs beside them. */
export function sweepEntry(target: number | 'max', runs: Point[]) {
  const m = (f: (p: Point) => number) => round(median(runs.map(f)), 2);
  return {
    target_events_per_s: target,
    kernel_events_per_s: Math.round(median(runs.map((r) => r.kernel_events_per_s))),
    processing: { p50_us: m((r) => r.processing.p50_us), p99_us: m((r) => r.processing.p99_us), p999_us: m((r) => r.processing.p999_us) },
    e2e_us: { p50: m((r) => r.e2e_us.p50), p99: m((r) => r.e2e_us.p99) },
    cpu_percent_of_core: m((r) => r.cpu_percent_of_core),
    cpu_us_per_event: m((r) => r.cpu_us_per_event),
    context_switches_per_s: Math.round(median(runs.map((r) => r.context_switches_per_s))),
    socket_drops: runs.reduce((s, r) => s + r.socket_drops, 0), // over all runs
    redis_equals_kernel: runs.every((r) => r.redis_equals_kernel),
    runs,
  };
}

export async function sweep(e: Env, seconds: number, runs: number, log: (line: string) => void) {
  const perToggle = await eventsPerToggle(e, e.ports.slice(1));
  const out: Array<ReturnType<typeof sweepEntry>> = [];
  for (const target of SWEEP_TARGETS) {
    const points: Point[] = [];
    for (let r = 0; r < runs; r++) {
      points.push(await point(e, target, seconds, perToggle));
      log(JSON.stringify({ sweep: target, run: r + 1, ...points.at(-1)! }));
      await sleep(500);
    }
    out.push(sweepEntry(target, points));
  }
  return out;
}
