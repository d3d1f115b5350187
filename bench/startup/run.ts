// Start-up benchmark: time from process start to the first SSH connection attempt, for
// playbooks/site.yaml on the 20-switch example inventory, run as `npx` runs the package's bin
// (node bin/portsync-deploy.js). Every host points at a closed port on 127.0.0.1, so each
// connection is refused at once and nothing is contacted. The mark is the `connect` phase's start
// in the run's own timings (--json recap, the same spans -vv prints), in ms since the process
// started. Beside it: a bare `node -e 0`, `--version`, and npx's own start-up measured apart
// (`npx --no-install portsync-deploy --version` minus the bin's `--version`).
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
function timed(argv: string[]): { wallMs: number; cpuMs: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', ...argv], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
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
const samples = [];
for (let i = 0; i < runs; i++) {
  const load = loadavg()[0]!;
  const r = timed(site);
  const recap = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"event":"recap"'))
    .map((l) => JSON.parse(l) as { timings: Record<string, { from: number; to: number }> })[0];
  if (!recap?.timings.connect) throw new Error(`no connect phase in the run's timings (exit ${r.status}):\n${r.stdout.slice(-2000)}`);
  const bare = timed([process.execPath, '-e', '0']);
  const version = timed([process.execPath, BIN, '--version']);
  const npx = timed(['npx', '--no-install', 'portsync-deploy', '--version']);
  samples.push({
    loadavg1: +load.toFixed(2),
    firstConnectMs: recap.timings.connect.from,
    engineLoadedMs: recap.timings['start-up']!.to,
    workspaceLoadedMs: recap.timings.load?.to,
    runWallMs: +r.wallMs.toFixed(1),
    runCpuMs: Math.round(r.cpuMs),
    nodeBareMs: +bare.wallMs.toFixed(1),
    versionMs: +version.wallMs.toFixed(1),
    npxVersionMs: +npx.wallMs.toFixed(1),
  });
}
const summary = {
  date: new Date().toISOString(),
  command: site
    .slice(1)
    .join(' ')
    .replace(REPO + '/', ''),
  medianFirstConnectMs: median(samples.map((s) => s.firstConnectMs)),
  medianRunCpuMs: median(samples.map((s) => s.runCpuMs)),
  medianNodeBareMs: median(samples.map((s) => s.nodeBareMs)),
  medianVersionMs: median(samples.map((s) => s.versionMs)),
  medianNpxOwnMs: median(samples.map((s) => s.npxVersionMs - s.versionMs)),
  medianLoadavg1: median(samples.map((s) => s.loadavg1)),
  samples,
};
mkdirSync(join(REPO, 'bench/results'), { recursive: true });
const out = join(REPO, `bench/results/startup-${summary.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
console.log(
  `first SSH connection attempt: median ${summary.medianFirstConnectMs} ms after process start (run CPU ${summary.medianRunCpuMs} ms); ` +
    `node -e 0 ${summary.medianNodeBareMs} ms, --version ${summary.medianVersionMs} ms, npx's own start-up ${summary.medianNpxOwnMs.toFixed(0)} ms; ` +
    `load average ${summary.medianLoadavg1} (median of ${runs}); ${out}`,
);
