// Lab start-up time and memory per switch, with the rootfs already cached.
//   node dist/bench/lab/up.js --switches 8 --runs 5
// Per run: `up` until every switch accepts SSH (the figure the targets are about), then
// until every switch is healthy (systemd running, Redis answering), then memory:
// PSS of every process in each switch's cgroups (supervisor and nspawn included) and the
// switch's own tmpfs usage. Then `down`. Prints medians and writes JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { switchProcesses } from '../../lab/cgroups.js';
import { labDown, labUp, switchExec, waitHealthy } from '../../lab/lab.js';
import { rootInotifyInstances } from '../../lab/inotify.js';
import { mapLimit } from '../../lab/exec.js';
import { projectRoot } from '../../lab/paths.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const switches = arg('switches', 8);
const runs = arg('runs', 3);
const name = 'bench';

function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1]);
  } catch {
    return 0;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  sshSeconds: number;
  healthySeconds: number;
  pssMbPerSwitch: number;
  tmpfsMbPerSwitch: number;
  inotifyInstancesPerSwitch: number;
  downSeconds: number;
}

async function once(): Promise<Run> {
  await labDown(name);
  const inotifyBefore = rootInotifyInstances();
  const t0 = performance.now();
  const lab = await labUp({ name, switches });
  const sshSeconds = (performance.now() - t0) / 1000;
  await waitHealthy(name, 120_000);
  const healthySeconds = (performance.now() - t0) / 1000;
  const pss = lab.switches.map((s) => switchProcesses(name, s.name).reduce((sum, pid) => sum + pssKb(pid), 0));
  const tmpfs = await mapLimit(lab.switches, 8, async (s) => {
    const df = await switchExec(name, s.name, ['df', '-k', '-t', 'tmpfs', '--output=used']);
    return df.stdout
      .split('\n')
      .slice(1)
      .reduce((sum, l) => sum + (Number(l.trim()) || 0), 0);
  });
  const inotify = (rootInotifyInstances() - inotifyBefore) / switches;
  const t1 = performance.now();
  await labDown(name);
  const mb = (kb: number) => Math.round((kb / 1024 / switches) * 10) / 10;
  return {
    sshSeconds: +sshSeconds.toFixed(2),
    healthySeconds: +healthySeconds.toFixed(2),
    pssMbPerSwitch: mb(pss.reduce((a, b) => a + b, 0)),
    tmpfsMbPerSwitch: mb(tmpfs.reduce((a, b) => a + b, 0)),
    inotifyInstancesPerSwitch: +inotify.toFixed(1),
    downSeconds: +((performance.now() - t1) / 1000).toFixed(2),
  };
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  results.push(r);
  console.log(`run ${i + 1}/${runs}: ${JSON.stringify(r)}`);
}
const summary = Object.fromEntries((Object.keys(results[0]) as (keyof Run)[]).map((k) => [k, median(results.map((r) => r[k]))]));
console.log(`median of ${runs} runs, ${switches} switches: ${JSON.stringify(summary)}`);
const outDir = path.join(projectRoot, 'bench', 'results', 'tmp');
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, `lab-up-${switches}.json`), JSON.stringify({ switches, runs: results, median: summary }, null, 2));
