// The fleet benchmark's playbook through the queue: a lab of N switches applied cold and re-run
// without changes, locally and through 1, 2 and 4 workers on this machine. Per run: wall time,
// the coordinator's CPU (its process tree, /usr/bin/time), each worker's CPU (from /proc, before
// and after), redis-server's CPU, and the Redis commands the run cost (INFO commandstats delta).
// On one 2-core machine no speed-up is expected: the point is the cost per host of each part.
//   node dist/bench/queue/run.js [--switches 100] [--workers 0,1,2,4] [--runs 3] [--lab qbench] [--keep-lab]
// Writes bench/results/<date>-queue.json and prints a table. Run it under flock /work/.bench.lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { labDown, labUp } from '../../lab/lab.js';
import { projectRoot } from '../../lab/paths.js';
import { measure, round } from '../fleet/measure.js';
import { FLEET_FOOTPRINT, readPristine, resetSwitches } from '../fleet/reset.js';
import { median } from '../fleet/stats.js';
import { FLEET_PLAYBOOK, portsyncArgv, roundTrips, type Target } from '../fleet/tools.js';

const { values: flags } = parseArgs({
  options: {
    switches: { type: 'string', default: '100' },
    workers: { type: 'string', default: '0,1,2,4' },
    runs: { type: 'string', default: '3' },
    lab: { type: 'string', default: 'qbench' },
    'keep-lab': { type: 'boolean', default: false },
  },
});
const SWITCHES = Number(flags.switches);
const WORKERS = flags.workers!.split(',').map(Number);
const RUNS = Number(flags.runs);
const CLI = path.join(projectRoot, 'bin', 'portsync-deploy.js');
const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux)

interface Row {
  workers: number;
  scenario: 'cold' | 'nochange';
  run: number;
  seconds: number;
  exitCode: number;
  coordinatorCpu: number;
  workerCpu: number[];
  redisCpu: number;
  redisCommands: number;
  /** Redis's memory after the run: finished jobs stay an hour. */
  redisMemoryMb: number;
  roundTripsPerHost?: number;
  load1: number;
}

const log = (s: string) => process.stdout.write(`${s}\n`);

function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

async function redisFigures(r: Redis): Promise<{ commands: number; cpu: number; memoryMb: number }> {
  const stats = await r.info('commandstats');
  const commands = [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].filter((m) => m[1] !== 'info').reduce((a, m) => a + Number(m[2]), 0);
  const cpuInfo = await r.info('cpu');
  const num = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(cpuInfo)?.[1] ?? 0);
  const memory = await r.info('memory');
  const used = Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? 0);
  return { commands, cpu: num('used_cpu_sys') + num('used_cpu_user'), memoryMb: round(used / 2 ** 20, 1) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'psd-queue-bench-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}/0`;
  const redisProc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  const workers: ChildProcess[] = [];
  const rows: Row[] = [];
  try {
    log(`lab ${flags.lab}: ${SWITCHES} switches`);
    const lab = await labUp({ name: flags.lab!, switches: SWITCHES, waitFor: 'healthy' });
    const switches = lab.switches.map((s) => s.name);
    const pristine = await readPristine(flags.lab!, switches[0]!, [FLEET_FOOTPRINT]);
    const target: Target = { hostsFile: lab.inventory.hostsFile, hosts: SWITCHES };
    for (const n of WORKERS) {
      for (let i = 0; i < n; i++) {
        const home = path.join(dir, `worker${i}`);
        mkdirSync(home, { recursive: true });
        const w = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--concurrency', String(SWITCHES)], {
          cwd: projectRoot,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        await new Promise<void>((ready) => w.stdout!.on('data', (d: Buffer) => d.toString().includes('worker ready') && ready()));
        workers.push(w);
      }
      const argv = [...portsyncArgv(FLEET_PLAYBOOK, 'cold', target), ...(n ? ['--queue', url] : [])];
      for (let run = 1; run <= RUNS; run++) {
        await resetSwitches(flags.lab!, switches, FLEET_FOOTPRINT, pristine);
        for (const scenario of ['cold', 'nochange'] as const) {
          const before = { workers: workers.map((w) => cpuOf(w.pid!)), redis: await redisFigures(redis) };
          const load1 = round(loadavg()[0]!, 1);
          const m = await measure(argv, { cwd: projectRoot });
          const after = { workers: workers.map((w) => cpuOf(w.pid!)), redis: await redisFigures(redis) };
          const row: Row = {
            workers: n,
            scenario,
            run,
            seconds: m.seconds,
            exitCode: m.exitCode,
            coordinatorCpu: m.cpuSeconds,
            workerCpu: after.workers.map((c, i) => round(c - before.workers[i]!)),
            redisCpu: round(after.redis.cpu - before.redis.cpu),
            // INFO calls (the measurement's own) are left out above.
            redisCommands: after.redis.commands - before.redis.commands,
            redisMemoryMb: after.redis.memoryMb,
            roundTripsPerHost: roundTrips(m.stdout)?.median,
            load1,
          };
          rows.push(row);
          log(
            `${n ? `${n} worker${n > 1 ? 's' : ''}` : 'local'} ${scenario} #${run}: ${row.seconds} s, exit ${row.exitCode}, coordinator ${row.coordinatorCpu} s CPU, workers ${row.workerCpu.join('+') || '-'} s, redis ${row.redisCpu} s / ${row.redisCommands} commands / ${row.redisMemoryMb} MB, load ${load1}`,
          );
        }
      }
      await Promise.all(workers.splice(0).map((w) => new Promise((r) => (w.once('exit', r), w.kill('SIGTERM')))));
    }
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    redis.disconnect();
    redisProc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (!flags['keep-lab']) await labDown(flags.lab!);
  }
  const file = path.join(projectRoot, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-queue.json`);
  writeFileSync(file, JSON.stringify({ switches: SWITCHES, runs: RUNS, rows }, null, 2) + '\n');
  log(`\n${table(rows)}\nwritten: ${path.relative(projectRoot, file)}`);
}

/** Medians per worker count and scenario, per host where it is a cost. */
function table(rows: Row[]): string {
  const out = [
    '| Workers | Scenario | Wall s | Coordinator CPU ms/host | Workers CPU ms/host | Each worker CPU ms/host | Redis CPU ms/host | Redis commands/host | Round trips/host | Load (1 min) |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const n of WORKERS)
    for (const scenario of ['cold', 'nochange'] as const) {
      const rs = rows.filter((r) => r.workers === n && r.scenario === scenario);
      if (!rs.length) continue;
      const per = (f: (r: Row) => number, scale = 1000) => round((median(rs.map(f)) * scale) / SWITCHES, 1);
      // Each worker's own share: how evenly the jobs spread over the workers.
      const each = Array.from({ length: n }, (_, i) => per((r) => r.workerCpu[i] ?? 0)).join(' + ') || '–';
      out.push(
        `| ${n || 'local'} | ${scenario} | ${median(rs.map((r) => r.seconds))} | ${per((r) => r.coordinatorCpu)} | ${per((r) => r.workerCpu.reduce((a, b) => a + b, 0))} | ${each} | ${per((r) => r.redisCpu)} | ${per((r) => r.redisCommands, 1)} | ${median(rs.map((r) => r.roundTripsPerHost ?? 0))} | ${rs.map((r) => r.load1).join(', ')} |`,
      );
    }
  return out.join('\n');
}

await main();
