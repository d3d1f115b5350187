// `portsync-deploy worker --queue redis://… [--concurrency N] [--group NAME]`: takes host jobs
// from one group's queue and runs them over this machine's own connections (its keys, its
// known_hosts, its vault passwords). BullMQ keeps a lock on each job while it runs; a worker
// that dies loses the lock and another worker takes the job again.
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { EXIT } from '../errors.js';
import { JobRunner, jobFailure } from '../queue/worker.js';
import { DEFAULT_GROUP, KEY_PREFIX, describeQueue, groupProblem, parseQueueUrl, queueName, redisOptions } from '../queue/connection.js';
import type { JobData } from '../queue/spec.js';
import type { JobAnswer } from '../queue/answer.js';
import { ValidationError } from '../errors.js';
import type { CliOptions } from './options.js';
import { specOptions } from './queue-run.js';
import { transportFactory } from './transports.js';
import { tracedTransport } from './traced-transport.js';
import type { TransportFactory } from '../exec/session.js';
import { loadWorkspace } from './workspace.js';

export async function workerCommand(o: CliOptions): Promise<number> {
  if (!o.queue)
    throw new ValidationError([{ message: 'worker needs --queue', hint: 'portsync-deploy worker --queue redis://host:6379/0' }]);
  const group = o.group ?? DEFAULT_GROUP;
  const bad = groupProblem(group);
  if (bad) throw new ValidationError([{ message: `--group: ${bad}` }]);
  const conn = parseQueueUrl(o.queue);
  const name = `${hostname()}:${process.pid}`;
  const runner = new JobRunner(async (spec, trace) => {
    const run = specOptions(spec, o);
    const ws = await loadWorkspace(run, spec.playbook, spec.check);
    const transportFor = await transportFactory(
      ws.plays.flatMap((p) => p.hosts),
      { acceptNewHostKeys: run.acceptNewHostKeys, log: () => {} },
    );
    // Under the coordinator's -vvv, its lines of each round trip, as they happen, name this worker.
    if (spec.verbosity < 3) return { plays: ws.plays, env: ws.env, transportFor };
    const traced: TransportFactory = (host, vars) =>
      tracedTransport(host, transportFor(host, vars), spec.verbosity, (m) => trace(host, `${m} (worker ${name})`));
    return { plays: ws.plays, env: ws.env, transportFor: traced };
  });
  const worker = new Worker<JobData, JobAnswer>(
    queueName(group),
    // What reaches Redis is the job's answer or a redacted reason, never the error itself.
    (job) =>
      runner
        .run(job.data, (m) => void job.updateProgress(m).catch(() => {}))
        .catch((err: unknown) => Promise.reject(new Error(jobFailure(err)))),
    {
      connection: redisOptions(conn),
      prefix: KEY_PREFIX,
      name,
      concurrency: o.concurrency,
      lockDuration: o.lockSeconds * 1000,
      stalledInterval: o.lockSeconds * 1000,
      // A job whose worker died is taken again (twice at most), never run by two at once.
      maxStalledCount: 2,
      autorun: false,
    },
  );
  worker.on('error', (err) => process.stderr.write(`worker: ${jobFailure(err)}\n`));
  const stopped = new Promise<string>((done) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => done(s));
  });
  const running = worker.run();
  await worker.waitUntilReady();
  process.stdout.write(`worker ready: group ${group} on ${describeQueue(conn)}, ${o.concurrency} at once\n`);
  const signal = await Promise.race([stopped, running.then(() => undefined)]);
  // Jobs in flight finish first; a second signal's default action ends the process.
  await worker.close();
  await runner.close();
  return signal ? EXIT.ok : EXIT.internal;
}
