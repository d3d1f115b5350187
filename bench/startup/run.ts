// Start-up benchmark: time from process start to the first SSH connection attempt, for
// playbooks/site.yaml on the 20-switch example inventory, run as `npx` runs the package's bin
// (node bin/portsync-deploy.js). Every host points at a closed port on 127.0.0.1, so each
// connection is refused at once and nothing is contacted. The mark is the `connect` phase's start
// in the run's own timings (--json recap, the same spans -vv prints), in ms since the process
// started. Beside it: a bare `node -e 0`, `--version`, and npx's own start-up measured apart
// (`npx --no-install portsync-deploy --version` minus the bin's `--version`).
// NODE_EXTRA_CA_CERTS, when set, makes Node 20 read and parse that CA file (and its own root
// store) before it runs any JavaScript: Node's start, not the tool's, and for TLS, which a run
// never uses. With it set, every figure is also measured without it, alternated in the same runs;
// so is a run that parses every YAML file, as a first run does.
//   node dist/bench/startup/run.js [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');
const INVENTORY = join(REPO, 'inventories/example-dc1');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A port on 127.0.0.1 that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Wall ms and CPU ms (user + sys, from /usr/bin/time) of one process. */
function timed(argv: string[], env: NodeJS.ProcessEnv): { wallMs: number; cpuMs: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', ...argv], { cwd: REPO, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  const wallMs = performance.now() - t0;
  const [user, sys] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs, cpuMs: (user! + sys!) * 1000, stdout: r.stdout, status: r.status };
}

const port = await closedPort();
const site = [
  process.execPath,
  BIN,
  join(REPO, 'playbooks/site.yaml'),
  '-i',
  INVENTORY,
  '--vault-password-file',
  join(INVENTORY, 'example-only-vault-password.txt'),
  '-e',
  'ansible_host=127.0.0.1',
  '-e',
  `ansible_port=${port}`,
  '--check',
  '--json',
];
interface Variant {
  name: string;
  env: NodeJS.ProcessEnv;
  /** npx's own start-up is measured once, in the environment as given. */
  npx: boolean;
}
const variants: Variant[] = [{ name: 'environment as given', env: process.env, npx: true }];
if (process.env.NODE_EXTRA_CA_CERTS) {
  const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
  variants.push({ name: 'without NODE_EXTRA_CA_CERTS', env: without, npx: false });
}
// A run parses only the YAML files changed since an earlier run (README.md, "CLI"); a first run
// parses them all.
variants.push({ name: 'every YAML file parsed (PSD_CACHE_DIR=off)', env: { ...process.env, PSD_CACHE_DIR: 'off' }, npx: false });

/** One run of each measured command in one environment. */
function sample(v: Variant) {
  const load = loadavg()[0]!;
  const r = timed(site, v.env);
  const recap = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"event":"recap"'))
    .map((l) => JSON.parse(l) as { timings: Record<string, { from: number; to: number }> })[0];
  if (!recap?.timings.connect) throw new Error(`no connect phase in the run's timings (exit ${r.status}):\n${r.stdout.slice(-2000)}`);
  const bare = timed([process.execPath, '-e', '0'], v.env);
  const version = timed([process.execPath, BIN, '--version'], v.env);
  const npx = v.npx ? timed(['npx', '--no-install', 'portsync-deploy', '--version'], v.env) : undefined;
  return {
    loadavg1: +load.toFixed(2),
    firstConnectMs: recap.timings.connect.from,
    engineLoadedMs: recap.timings['start-up']!.to,
    workspaceLoadedMs: recap.timings.load?.to,
    runWallMs: +r.wallMs.toFixed(1),
    runCpuMs: Math.round(r.cpuMs),
    nodeBareMs: +bare.wallMs.toFixed(1),
    nodeBareCpuMs: Math.round(bare.cpuMs),
    versionMs: +version.wallMs.toFixed(1),
    ...(npx ? { npxVersionMs: +npx.wallMs.toFixed(1) } : {}),
  };
}

// One run first keeps the parses the measured runs take (the build's code cache run keeps them too).
timed(site, process.env);
// The environments alternate run by run, so a busy spell falls on all.
const samples = variants.map(() => [] as ReturnType<typeof sample>[]);
for (let i = 0; i < runs; i++) variants.forEach((v, j) => samples[j]!.push(sample(v)));

const summaries = variants.map((v, j) => {
  const s = samples[j]!;
  return {
    environment: v.name,
    medianFirstConnectMs: median(s.map((x) => x.firstConnectMs)),
    medianRunCpuMs: median(s.map((x) => x.runCpuMs)),
    medianNodeBareMs: median(s.map((x) => x.nodeBareMs)),
    medianNodeBareCpuMs: median(s.map((x) => x.nodeBareCpuMs)),
    medianVersionMs: median(s.map((x) => x.versionMs)),
    ...(v.npx ? { medianNpxOwnMs: median(s.map((x) => x.npxVersionMs! - x.versionMs)) } : {}),
    medianLoadavg1: median(s.map((x) => x.loadavg1)),
    samples: s,
  };
});
const summary = {
  date: new Date().toISOString(),
  command: site
    .slice(1)
    .join(' ')
    .replace(REPO + '/', ''),
  ...summaries[0]!,
  ...(summaries.length > 1 ? { alternated: summaries.slice(1) } : {}),
};
mkdirSync(join(REPO, 'bench/results'), { recursive: true });
const out = join(REPO, `bench/results/startup-${summary.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
for (const x of summaries)
  console.log(
    `${x.environment}: first SSH connection attempt: median ${x.medianFirstConnectMs} ms after process start (run CPU ${x.medianRunCpuMs} ms); ` +
      `node -e 0 ${x.medianNodeBareMs} ms (CPU ${x.medianNodeBareCpuMs} ms), --version ${x.medianVersionMs} ms` +
      (x.medianNpxOwnMs === undefined ? '' : `, npx's own start-up ${x.medianNpxOwnMs.toFixed(0)} ms`) +
      `; load average ${x.medianLoadavg1} (median of ${runs})`,
  );
console.log(out);
