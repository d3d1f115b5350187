// Real-kernel, real-Redis fixtures: a network namespace with veth ports named
// EthernetN, a redis-server of the test's own, and the daemon run inside the
// namespace. Everything is removed by the name or PID recorded here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { RedisServer } from '../../helpers/redis-server.js';
import { sleep, waitFor } from '../../helpers/wait.js';

let counter = 0;

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function run(argv: string[], input?: string): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export { sleep, waitFor, RedisServer };

export interface KernelPort {
  admin: boolean;
  oper: boolean;
  mtu: number;
}

export class Netns {
  readonly name = `psd-t-${process.pid}-${++counter}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'psd-t-'));
  constructor() {
    run(['ip', 'netns', 'add', this.name]);
    run(['ip', '-n', this.name, 'link', 'set', 'lo', 'up']);
  }
  /** Runs `ip -batch` lines inside the namespace. */
  batch(lines: string[]): void {
    run(['ip', '-n', this.name, '-force', '-batch', '-'], lines.join('\n') + '\n');
  }
  /** Adds veth pairs EthernetN (N = 0, 4, 8, ...) with peers up, so oper follows admin. */
  addPorts(indexes: number[]): string[] {
    const names = indexes.map((i) => `Ethernet${i}`);
    this.batch(indexes.flatMap((i) => [`link add Ethernet${i} type veth peer name peer${i}`, `link set peer${i} up`]));
    return names;
  }
  kernelPorts(): Map<string, KernelPort> {
    const out = run([
      'ip',
      'netns',
      'exec',
      this.name,
      'sh',
      '-c',
      'cd /sys/class/net && for d in Ethernet* PortChannel*; do [ -e "$d" ] && echo "$d $(cat $d/flags) $(cat $d/mtu) $(cat $d/operstate)"; done; true',
    ]);
    const ports = new Map<string, KernelPort>();
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const [name, flags, mtu, operstate] = line.split(' ');
      // sysfs flags lack IFF_RUNNING; the kernel derives it (dev_get_flags) from an up device's operstate.
      const admin = (Number(flags) & 1) !== 0;
      ports.set(name!, { admin, oper: admin && (operstate === 'up' || operstate === 'unknown'), mtu: Number(mtu) });
    }
    return ports;
  }
  spawn(argv: string[], env?: NodeJS.ProcessEnv): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.name, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  }
  /** GET on the daemon's loopback HTTP server, from inside the namespace. */
  httpGet(port: number, path: string): { status: number; body: string } {
    const script = `fetch('http://127.0.0.1:${port}${path}').then(async r=>{process.stdout.write(JSON.stringify({status:r.status,body:await r.text()}))})`;
    return JSON.parse(run(['ip', 'netns', 'exec', this.name, process.execPath, '-e', script])) as { status: number; body: string };
  }
  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface DaemonOptions {
  redis: Record<string, unknown>;
  netlink?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[]; // e.g. V8 flags or --cpu-prof
  /** The command to start instead of node on daemon/dist/main.js (e.g. an unpacked artifact's launcher); --config is appended. */
  command?: string[];
  /** Further top-level config keys, e.g. {mirror_all_ports: true}. */
  settings?: Record<string, unknown>;
}

export class DaemonProc {
  readonly logs: Array<Record<string, unknown>> = [];
  readonly proc: ChildProcess;
  private exit: Promise<number | null>;
  readonly configFile: string;
  constructor(
    readonly ns: Netns,
    opts: DaemonOptions,
    readonly stateFile = join(ns.dir, 'state.json'),
  ) {
    this.configFile = join(ns.dir, `portsyncd-${++counter}.json`);
    writeFileSync(
      this.configFile,
      JSON.stringify({
        redis: opts.redis,
        netlink: opts.netlink ?? {},
        http: { port: 0 },
        state_file: stateFile,
        log_level: 'info',
        ...opts.settings,
      }),
    );
    const command = opts.command ?? [process.execPath, ...(opts.nodeArgs ?? []), join(repoRoot(), 'daemon/dist/main.js')];
    this.proc = ns.spawn([...command, '--config', this.configFile], opts.env);
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: 'unparsable', line });
        }
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => this.logs.push({ msg: 'stderr', line: d.toString() }));
    this.exit = new Promise((r) => this.proc.once('exit', (code) => r(code)));
  }
  log(msg: string): Record<string, unknown> | undefined {
    return this.logs.find((l) => l.msg === msg);
  }
  async ready(timeoutMs?: number): Promise<number> {
    await waitFor(
      'initial sync',
      () => this.log('initial sync done') ?? (this.proc.exitCode !== null ? this.fail() : undefined),
      timeoutMs,
    );
    return this.log('http listening')!.port as number;
  }
  metrics(port: number): Map<string, number> {
    const m = new Map<string, number>();
    for (const line of this.ns.httpGet(port, '/metrics').body.split('\n')) {
      if (line && !line.startsWith('#')) {
        const i = line.lastIndexOf(' ');
        m.set(line.slice(0, i), Number(line.slice(i + 1)));
      }
    }
    return m;
  }
  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }
  /** SIGTERM; resolves to [exit code, ms taken]. */
  async terminate(): Promise<[number | null, number]> {
    const t0 = Date.now();
    this.proc.kill('SIGTERM');
    const code = await this.exit;
    return [code, Date.now() - t0];
  }
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exit;
  }
  private fail(): never {
    throw new Error(`daemon exited: ${JSON.stringify(this.logs)}`);
  }
}

/** CONFIG_DB PORT|<name> for each port, as a SONiC config_db.json would load them. */
export async function configurePorts(redis: RedisServer, names: string[]): Promise<void> {
  const config = redis.client(4);
  for (const [i, name] of names.entries()) await config.hset(`PORT|${name}`, { lanes: String(i), admin_status: 'up' });
}

/** STATE_DB PORT_TABLE as {name: {admin, oper, mtu}}. */
export async function redisPorts(state: Redis): Promise<Map<string, KernelPort>> {
  const keys = await state.keys('PORT_TABLE|*');
  const out = new Map<string, KernelPort>();
  for (const key of keys) {
    const h = await state.hgetall(key);
    out.set(key.slice('PORT_TABLE|'.length), { admin: h.admin_status === 'up', oper: h.netdev_oper_status === 'up', mtu: Number(h.mtu) });
  }
  return out;
}

export function sameState(a: Map<string, KernelPort>, b: Map<string, KernelPort>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.admin !== v.admin || w.oper !== v.oper || w.mtu !== v.mtu) return false;
  }
  return true;
}

export async function converged(ns: Netns, state: Redis, timeoutMs = 20000): Promise<void> {
  let last = '';
  await waitFor(
    'Redis to equal the kernel',
    async () => {
      const k = ns.kernelPorts();
      const r = await redisPorts(state);
      last = `kernel=${JSON.stringify([...k])} redis=${JSON.stringify([...r])}`;
      return sameState(k, r) || undefined;
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}: ${last.slice(0, 2000)}`);
  });
}

/** Random flap lines: admin up/down across ports, ending in a random state per port. */
export function flapLines(ports: string[], count: number, seed = 1): string[] {
  let s = seed;
  const rand = (n: number) => Math.floor(((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * n);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`link set ${ports[rand(ports.length)]} ${rand(2) ? 'up' : 'down'}`);
  return lines;
}
