// portsyncd benchmark: live absorption (1 and 2 ip -batch generators), drain
// rate after SIGSTOP/SIGCONT, end-to-end latency to the Redis keyspace
// notification beside a bare Redis round trip, CPU per event at a paced
// 15K events/s, and RSS over a soak.
// Run as root after `npm run build`: node dist/bench/daemon/run.js [--soak-seconds N]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { converged, DaemonProc, flapLines, Netns, RedisServer, repoRoot, sleep } from '../../test/daemon/helpers/env.js';

const { values } = parseArgs({ options: { 'soak-seconds': { type: 'string', default: '120' }, ports: { type: 'string', default: '32' } } });
const SOAK_S = Number(values['soak-seconds']);
const PORTS = Number(values.ports);
const CLK_TCK = 100;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function cpuSeconds(pid: number): number {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}
function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

const EVENT_KEYS = ['portsyncd_netlink_events_total{type="newlink"}', 'portsyncd_netlink_events_total{type="dellink"}'];
function counts(d: DaemonProc, http: number) {
  const m = d.metrics(http);
  return { events: EVENT_KEYS.reduce((s, k) => s + (m.get(k) ?? 0), 0), drops: m.get('portsyncd_netlink_socket_drops_total') ?? 0, m };
}

/** p50/p99 in seconds from the daemon's cumulative latency histogram delta. */
function histQuantiles(before: Map<string, number>, after: Map<string, number>): { p50: number; p99: number } {
  const buckets: Array<[number, number]> = [];
  for (const [k, v] of after) {
    const le = /^portsyncd_event_latency_seconds_bucket\{le="([^"]+)"\}$/.exec(k)?.[1];
    if (le) buckets.push([le === '+Inf' ? Infinity : Number(le), v - (before.get(k) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)![1];
  const q = (p: number) => buckets.find(([, c]) => c >= p * total)![0];
  return { p50: q(0.5), p99: q(0.99) };
}

async function absorption(ns: Netns, d: DaemonProc, http: number, state: Redis, ports: string[], generators: number) {
  const before = counts(d, http);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: generators }, (_, g) => {
      const mine = ports.filter((_, i) => i % generators === g);
      return new Promise<void>((resolve, reject) => {
        const p = spawn('ip', ['-n', ns.name, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
        p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`ip exited ${c}`))));
        p.stdin.end(flapLines(mine, 40000 / generators, 11 + g).join('\n') + '\n');
      });
    }),
  );
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await converged(ns, state, 60000);
  await sleep(200);
  const after = counts(d, http);
  const applied = after.events - before.events;
  const dropped = after.drops - before.drops;
  return { generators, kernel_events: applied + dropped, applied, dropped, ratio: round(applied / (applied + dropped), 4), kernel_rate_per_s: Math.round((applied + dropped) / genSeconds), redis_equals_kernel: true };
}

async function drain(ns: Netns, d: DaemonProc, http: number, state: Redis, sub: Redis, ports: string[]) {
  const before = counts(d, http);
  let last = 0n;
  const onMsg = () => (last = process.hrtime.bigint());
  sub.on('pmessage', onMsg);
  d.signal('SIGSTOP');
  ns.batch(flapLines(ports, 12000, 21));
  const t0 = process.hrtime.bigint();
  d.signal('SIGCONT');
  await converged(ns, state, 60000);
  await sleep(300);
  sub.off('pmessage', onMsg);
  const after = counts(d, http);
  const events = after.events - before.events;
  const seconds = Number(last - t0) / 1e9;
  return { queued_events: events, dropped: after.drops - before.drops, seconds: round(seconds, 4), events_per_s: Math.round(events / seconds) };
}

async function latency(ns: Netns, d: DaemonProc, http: number, state: Redis, sub: Redis, port: string) {
  const ip = spawn('ip', ['-n', ns.name, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  await sleep(200);
  const before = counts(d, http).m;
  const e2e: number[] = [];
  const rtt: number[] = [];
  let up = false;
  for (let i = 0; i < 400; i++) {
    up = !up;
    const seen = new Promise<bigint>((resolve) => sub.once('pmessage', () => resolve(process.hrtime.bigint())));
    const t0 = process.hrtime.bigint();
    ip.stdin.write(`link set ${port} ${up ? 'up' : 'down'}\n`);
    e2e.push(Number((await seen) - t0) / 1e3);
    await sleep(5);
    const r0 = process.hrtime.bigint();
    await state.ping();
    rtt.push(Number(process.hrtime.bigint() - r0) / 1e3);
  }
  ip.stdin.end();
  await sleep(100);
  const h = histQuantiles(before, counts(d, http).m);
  return {
    samples: e2e.length,
    e2e_us: { p50: round(pct(e2e, 50)), p99: round(pct(e2e, 99)) },
    redis_rtt_us: { p50: round(pct(rtt, 50)), p99: round(pct(rtt, 99)) },
    processing_histogram_us: { p50_le: h.p50 * 1e6, p99_le: h.p99 * 1e6 },
    note: 'e2e starts when the command is written to a running `ip -batch` (its wake-up and RTM_NEWLINK syscall included) and ends at the keyspace notification',
  };
}

async function paced(ns: Netns, d: DaemonProc, http: number, ports: string[], rate: number, seconds: number) {
  const pid = d.proc.pid!;
  const ip = spawn('ip', ['-n', ns.name, '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const before = counts(d, http);
  const cpu0 = cpuSeconds(pid);
  const rss: number[] = [];
  const lines = flapLines(ports, 200000, 31);
  let sent = 0;
  const t0 = Date.now();
  const tickMs = 20;
  while (Date.now() - t0 < seconds * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    const chunk: string[] = [];
    for (; sent < due; sent++) chunk.push(lines[sent % lines.length]!);
    if (chunk.length) ip.stdin.write(chunk.join('\n') + '\n');
    if (sent % (rate * 5) < (rate * tickMs) / 1000) rss.push(rssBytes(pid));
    await sleep(tickMs);
  }
  ip.stdin.end();
  await sleep(500);
  const after = counts(d, http);
  const events = after.events - before.events;
  const cpu = cpuSeconds(pid) - cpu0;
  const h = histQuantiles(before.m, after.m);
  return {
    target_commands_per_s: rate,
    seconds,
    events,
    events_per_s: Math.round(events / seconds),
    dropped: after.drops - before.drops,
    cpu_us_per_event: round((cpu * 1e6) / events, 2),
    cpu_percent_of_core: round((cpu / seconds) * 100),
    processing_histogram_us: { p50_le: h.p50 * 1e6, p99_le: h.p99 * 1e6 },
    rss_mb: { first: round(rss[0]! / 2 ** 20), last: round(rss.at(-1)! / 2 ** 20), max: round(Math.max(...rss) / 2 ** 20) },
  };
}

async function main() {
  const ns = new Netns();
  const redis = new RedisServer(ns.dir);
  let daemon: DaemonProc | undefined;
  try {
    await redis.start();
    const ports = ns.addPorts(Array.from({ length: PORTS }, (_, i) => i * 4));
    daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket } });
    const http = await daemon.ready();
    const state = redis.client(6);
    const sub = redis.client(6);
    await sub.psubscribe('__keyspace@6__:PORT_TABLE|*');
    await converged(ns, state);

    const results: Record<string, unknown> = { when: new Date().toISOString(), ports: PORTS, soak_seconds: SOAK_S };
    results.absorption = [await absorption(ns, daemon, http, state, ports, 1), await absorption(ns, daemon, http, state, ports, 2)];
    console.log(JSON.stringify(results.absorption));
    results.drain = [];
    for (let i = 0; i < 3; i++) (results.drain as unknown[]).push(await drain(ns, daemon, http, state, sub, ports));
    console.log(JSON.stringify(results.drain));
    results.latency = await latency(ns, daemon, http, state, sub, ports[0]!);
    console.log(JSON.stringify(results.latency));
    results.paced_15k = await paced(ns, daemon, http, ports, 15000, 10);
    console.log(JSON.stringify(results.paced_15k));
    results.soak = await paced(ns, daemon, http, ports, 15000, SOAK_S);
    console.log(JSON.stringify(results.soak));
    await converged(ns, state, 60000);
    results.final_redis_equals_kernel = true;
    const dir = join(repoRoot(), 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `daemon-${results.when as string}.json`.replace(/:/g, '-'));
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    console.log(`written ${file}`);
  } finally {
    await daemon?.kill();
    await redis.stop();
    ns.destroy();
  }
}

await main();
