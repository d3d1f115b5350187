// Deploy times of the daemon playbook on a lab of N switches.
//   node dist/bench/bundle/deploy.js --switches 3 --runs 3
// Per run: wipe portsyncd from every switch, cold deploy (serial [1, "10%", "100%"], health
// after each batch), then a no-change re-run. Prints medians and bytes uploaded; writes JSON.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp, switchExec } from '../../lab/lab.js';
import { mapLimit } from '../../lab/exec.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const switches = arg('switches', 3);
const runs = arg('runs', 3);
const name = 'benchdep';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const WIPE = `systemctl stop portsyncd.service 2>/dev/null; rm -rf /opt/portsyncd /etc/portsyncd /var/lib/portsync-deploy \
/etc/systemd/system/portsyncd.service /etc/systemd/system/portsyncd.service.d /etc/systemd/system/multi-user.target.wants/portsyncd.service
systemctl daemon-reload; systemctl reset-failed portsyncd.service 2>/dev/null; true`;

function deploy(inv: string): { seconds: number; bytes: number; changed: number; code: number } {
  const t = Date.now();
  const r = spawnSync(
    process.execPath,
    [join(REPO, 'bin/portsync-deploy.js'), join(REPO, 'playbooks/parts/daemon.yaml'), '-i', inv, '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const seconds = (Date.now() - t) / 1000;
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const stats = new Map<string, number>();
  for (const e of events) if (e.event === 'host_stats') stats.set(e.host, e.bytesUploaded);
  const recap = events.filter((e) => e.event === 'recap').at(-1)?.hosts ?? {};
  const changed = Object.values(recap as Record<string, { changed: number }>).reduce((a, h) => a + h.changed, 0);
  return { seconds, bytes: [...stats.values()].reduce((a, b) => a + b, 0), changed, code: r.status ?? -1 };
}

async function main(): Promise<void> {
  const lab = await labUp({ name, switches, waitFor: 'healthy' });
  const cold: ReturnType<typeof deploy>[] = [];
  const again: ReturnType<typeof deploy>[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      await mapLimit(lab.switches, 8, (s) => switchExec(name, s.name, ['sh', '-c', WIPE]));
      cold.push(deploy(lab.inventory.dir));
      again.push(deploy(lab.inventory.dir));
      console.log(`run ${i + 1}: cold ${JSON.stringify(cold.at(-1))} re-run ${JSON.stringify(again.at(-1))}`);
    }
  } finally {
    await labDown(name);
  }
  const result = {
    date: new Date().toISOString(),
    switches,
    runs,
    coldSecondsMedian: median(cold.map((r) => r.seconds)),
    coldBytesUploaded: cold.map((r) => r.bytes),
    rerunSecondsMedian: median(again.map((r) => r.seconds)),
    rerunBytesUploaded: again.map((r) => r.bytes),
    rerunChanged: again.map((r) => r.changed),
    exitCodes: [...cold, ...again].map((r) => r.code),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(
    join(REPO, `bench/results/deploy-${switches}-${result.date.replace(/:/g, '-')}.json`),
    JSON.stringify(result, null, 2) + '\n',
  );
}

await main();
