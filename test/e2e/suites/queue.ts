// Scale-out with the real parts against the lab's switches: a redis-server of the suite's own,
// three worker processes (each with its own home folder: keys, known_hosts, state) and the CLI as
// the coordinator. A worker is SIGKILLed mid-batch while its host's apply job uploads; another
// takes the job, and the run's effect, events and recap are those of the local run. Workers and
// redis-server are stopped by the PIDs recorded when they were started.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { switchExec } from '../../../lab/lab.js';
import { RedisServer } from '../../helpers/redis-server.js';
import { TestWorker, comparable } from '../../integration/queue/fleet.js';
import type { E2eLab } from '../lab-handle.js';
import { cli, on, recapOf, throttled, uploadUnderway, watchCli, writeBigFile } from './cli-run.js';

const DIR = '/etc/psd-queue';
const BIG_MB = 128;

export function queueSuite(lab: E2eLab): void {
  describe('scale-out on the lab: redis-server, a coordinator and three workers', () => {
    let work: string;
    let redis: RedisServer;
    const workers: TestWorker[] = [];
    let names: string[];

    before(async () => {
      names = lab.info.switches.map((s) => s.name);
      work = mkdtempSync(join(tmpdir(), 'psd-queue-e2e-'));
      mkdirSync(join(work, 'redis'));
      redis = await RedisServer.onFreePort(join(work, 'redis'));
      await redis.start();
      // One job at a time: the killed worker then holds only the victim's job. A second job whose
      // script had finished on its host when the worker died would be taken again, find the host
      // converged and count ok, not changed (docs/scale-out.md, limits).
      for (let i = 0; i < 3; i++) workers.push(new TestWorker(redis.url, ['--lock-seconds', '3', '--concurrency', '1']));
      await Promise.all(workers.map((w) => w.ready()));
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await redis?.stop();
      rmSync(work, { recursive: true, force: true });
      for (const sw of names) await switchExec(lab.name, sw, ['rm', '-rf', DIR]);
    });

    /** Each switch's files under DIR: name, mode and sha256, and no temp file left. */
    const effect = async () => {
      const out: Record<string, string> = {};
      for (const sw of names)
        out[sw] = await on(lab, sw, `cd ${DIR} && for f in $(ls -A | sort); do echo "$f $(stat -c %a "$f") $(sha256sum < "$f")"; done`);
      return out;
    };

    it(
      'a worker SIGKILLed mid-batch while its job uploads: another takes the job; effect, events and recap are the local run’s',
      { timeout: 600_000 },
      async () => {
        const victim = names[0]!;
        const big = join(work, 'big.bin');
        writeBigFile(big, 'psd-queue big file\n', BIG_MB);
        const playbook = join(work, 'site.yaml');
        writeFileSync(
          playbook,
          `- name: queued
  hosts: all
  serial: 2
  tasks:
    - name: marker
      copy: {dest: ${DIR}/marker, content: "{{ inventory_hostname }}\\n", mode: "0640"}
    - name: big file
      copy: {src: ${big}, dest: ${DIR}/big.bin, mode: "0644"}
      when: inventory_hostname == "${victim}"
    - name: last
      copy: {dest: ${DIR}/last, content: "done\\n"}
      notify: note
  handlers:
    - name: note
      copy: {dest: ${DIR}/noted, content: "yes\\n"}
`,
        );
        const args = [playbook, '-i', lab.info.inventory.dir, '--json'];
        const local = cli(args);
        assert.equal(local.code, 0, local.out + local.err);
        const localEffect = await effect();
        for (const sw of names) await switchExec(lab.name, sw, ['rm', '-rf', DIR]);

        let started = false;
        let killed: TestWorker | undefined;
        let missed: unknown;
        const queued = await throttled(lab, victim, () =>
          watchCli([...args, '--queue', redis.url], (e) => {
            if (e.event !== 'batch_start' || started) return;
            started = true;
            void (async () => {
              // Mid-transfer: the staged copy exists and is still short of the whole file.
              await uploadUnderway(lab, victim, DIR, 'big.bin', BIG_MB);
              killed = workerOfActiveJob(await activeJobs(redis), victim, workers);
              killed.proc.kill('SIGKILL');
            })().catch((err: unknown) => (missed = err));
          }),
        );
        assert.equal(missed, undefined, `${String(missed)}\n${queued.out}${queued.err}`);
        assert.ok(killed?.proc.signalCode === 'SIGKILL', `a worker was killed mid-upload\n${queued.out}${queued.err}`);
        assert.equal(queued.code, 0, queued.out + queued.err);
        assert.deepEqual(await effect(), localEffect);
        assert.deepEqual(comparable(queued.out), comparable(local.out));
        const counts = (r: typeof local) => Object.fromEntries(Object.entries(recapOf(r)).map(([h, { round_trips: _, ...c }]) => [h, c]));
        assert.deepEqual(counts(queued), counts(local));
        console.log(
          `# killed worker ${killed.pid} mid-upload to ${victim}; queued run ${queued.secs.toFixed(1)} s, local ${local.secs.toFixed(1)} s`,
        );
      },
    );
  });
}

/** The jobs being worked on: host and the worker that took each (BullMQ's `pb`, processed by). */
async function activeJobs(redis: RedisServer): Promise<{ host: string; kind: string; worker: string }[]> {
  const c = redis.client();
  try {
    const ids = await c.lrange('psd:hosts.default:active', 0, -1);
    const jobs = await Promise.all(ids.map((id) => c.hmget(`psd:hosts.default:${id}`, 'name', 'data', 'pb')));
    return jobs.map(([kind, data, worker]) => ({
      kind: kind ?? '',
      host: (JSON.parse(data ?? '{}') as { host?: string }).host ?? '',
      worker: worker ?? '',
    }));
  } finally {
    c.disconnect();
  }
}

function workerOfActiveJob(jobs: { host: string; kind: string; worker: string }[], host: string, workers: TestWorker[]): TestWorker {
  const job = jobs.find((j) => j.host === host && j.kind === 'apply');
  assert.ok(job, `no apply job of ${host} is active: ${JSON.stringify(jobs)}`);
  const w = workers.find((x) => job.worker.endsWith(`:${x.pid}`));
  assert.ok(w, `job of ${host} taken by ${job.worker}, not one of this suite's workers`);
  return w;
}
