// What a worker does with one job: load the coordinator's run (once per run), prepare the job's
// host, and answer with LocalWork, the same code a local run uses. The facts a job read stay with
// the run for its next job on this host (the apply after a preflight costs one exec, as locally);
// an apply plans again on them and applies only while the host still gives the same gather, so a
// retried job, or a host another worker changed meanwhile, never gets a plan made before it.
import { ValidationError, formatProblem, groupProblems } from '../errors.js';
import { secrets } from '../secrets/redact.js';
import { LocalWork } from '../exec/local-work.js';
import { HostSessions } from '../exec/session.js';
import { FactCache } from '../exec/fact-cache.js';
import { prepareHost } from '../plan/prepare.js';
import type { PlayInput } from '../exec/run.js';
import type { TransportFactory } from '../exec/session.js';
import type { PlanEnv } from '../plan/types.js';
import { safeAnswer, type JobAnswer, type Outcome } from './answer.js';
import { safeLive, type Publish } from './live.js';
import type { JobData, RunSpec } from './spec.js';

/** A coordinator's run as this worker loads it: from its own copy of the files, with its own vault
 *  passwords. `trace`: where its transports' -vvv lines go (the job of that host running now). */
export interface RunLoader {
  (
    spec: RunSpec,
    trace: (host: string, line: string) => void,
  ): Promise<{ plays: PlayInput[]; env: PlanEnv; transportFor: TransportFactory }>;
}

interface LoadedRun {
  ws: { plays: PlayInput[]; env: PlanEnv };
  sessions: HostSessions;
  facts: FactCache;
  /** Jobs of this run in flight, and when the last one ended: idle runs close their connections. */
  busy: number;
  idleSince: number;
  /** Where each host's job in flight sends what happens (a run has one job per host at a time). */
  publishers: Map<string, Publish>;
}

/** A run's connections close this long after its last job on this worker. */
const IDLE_MS = 30_000;

export class JobRunner {
  private readonly runs = new Map<string, Promise<LoadedRun>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly loadRun: RunLoader) {
    this.sweeper = setInterval(() => void this.sweep(), IDLE_MS / 3);
    this.sweeper.unref();
  }

  /** `publish`: what happens while the job runs, for the coordinator (masked here first). */
  async run(data: JobData, publish: Publish): Promise<JobAnswer> {
    const loaded = await this.load(data.run).catch((err: unknown) => {
      this.runs.delete(data.run.id);
      throw err;
    });
    loaded.busy++;
    const send: Publish = (m) => publish(safeLive(m));
    loaded.publishers.set(data.host, send);
    try {
      return await this.answer(loaded, data, send);
    } finally {
      if (loaded.publishers.get(data.host) === send) loaded.publishers.delete(data.host);
      loaded.busy--;
      loaded.idleSince = Date.now();
    }
  }

  private async answer({ ws, sessions, facts }: LoadedRun, data: JobData, publish: Publish): Promise<JobAnswer> {
    const prepared = ws.plays.map(({ play, hosts }) =>
      hosts
        .filter((h) => h.name === data.host)
        .map((h) => prepareHost(play, h.name, h.vars, ws.env, sessions.transport(h.name, h.vars).offline, h.roleVars)),
    );
    const problems = prepared.flat().flatMap((p) => p.problems);
    // Problems in args alone are the coordinator's to report (it prepared the same); the preflight
    // still reads the host, for the problems only its facts show.
    const stop = data.kind === 'preflight' ? prepared.flat().some((p) => p.incomplete) : problems.length > 0;
    if (stop) return safeAnswer({ problems: groupProblems(problems) }, { roundTrips: 0, bytesUploaded: 0 });
    const work = new LocalWork(
      ws.plays.map((p) => p.play),
      prepared,
      ws.env,
      sessions,
      data.run.forceHandlers,
      facts,
      (e) => publish({ live: e }),
    );
    const before = work.stats(data.host);
    const outcome = await this.call(work, data);
    const after = work.stats(data.host);
    return safeAnswer(outcome, {
      roundTrips: after.roundTrips - before.roundTrips,
      bytesUploaded: after.bytesUploaded - before.bytesUploaded,
    });
  }

  private call(work: LocalWork, { kind, host, play, ...d }: JobData): Promise<Outcome> {
    const need = <T>(v: T | undefined): T => {
      if (v === undefined) throw new Error(`a ${kind} job without its data`);
      return v;
    };
    switch (kind) {
      case 'preflight':
        return work.preflight(host);
      case 'replan':
        return work.replan(play, host, d.before);
      case 'apply':
        return work.apply(play, host, d.before, d.token);
      case 'keep':
        return work.keep(play, host, need(d.token));
      case 'probe':
        return work.probe(play, host);
      case 'rollback':
        return work.rollback(play, host, need(d.kept));
      case 'step':
        return work.step(play, host, need(d.step));
      case 'converged':
        return work.converged(play, host);
    }
  }

  private load(spec: RunSpec): Promise<LoadedRun> {
    let r = this.runs.get(spec.id);
    if (!r) {
      const publishers = new Map<string, Publish>();
      const trace = (host: string, line: string) => publishers.get(host)?.({ trace: line });
      r = this.loadRun(spec, trace).then(({ plays, env, transportFor }) => {
        const sessions = new HostSessions(transportFor);
        return { ws: { plays, env }, sessions, facts: new FactCache(sessions), busy: 0, idleSince: Date.now(), publishers };
      });
      this.runs.set(spec.id, r);
    }
    return r;
  }

  private async sweep(): Promise<void> {
    for (const [id, r] of this.runs) {
      const loaded = await r.catch(() => undefined);
      if (loaded && loaded.busy === 0 && Date.now() - loaded.idleSince > IDLE_MS) {
        this.runs.delete(id);
        await loaded.sessions.closeAll();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const r of this.runs.values()) await (await r.catch(() => undefined))?.sessions.closeAll();
    this.runs.clear();
  }
}

/** Why a job could not run (the worker reads a different playbook, cannot open a vault), secrets masked. */
export function jobFailure(err: unknown): string {
  const text =
    err instanceof ValidationError ? err.problems.map(formatProblem).join('; ') : err instanceof Error ? err.message : String(err);
  return secrets.redactText(text);
}
