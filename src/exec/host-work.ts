// The boundary between the run's decisions (batches, serial, thresholds, the recap: run.ts) and the
// work on one host (gather, plan, apply, verify). LocalWork (local-work.ts) does that work over
// this process's transports; QueueWork (src/queue/) sends each call to a worker as a job, and the
// worker answers it with LocalWork. Everything that crosses this boundary is plain data.
import type { Problem } from '../errors.js';
import type { HostHealth } from './probe-host.js';
import type { TaskResult } from './results.js';
import type { RollbackOutcome, Snapshot } from './rollback.js';

/** What the run keeps of one host's plan for one play. */
export interface PlanView {
  host: string;
  /** Something to run on the host: a pending change, ops that report ok, or a failure the plan knows of. */
  hasWork: boolean;
  /** One line per pending change and handler, which a fresh plan is compared with. */
  lines: string[];
  /** The plan as check mode shows it, task rows keyed `t<index>`, handler rows `h:<name>` (flushed at task i: `h@<i>:<name>`). */
  rows: { key: string; result: TaskResult }[];
}

/** A host lost while working on it (unreachable, or a gather that failed). */
export interface Lost {
  lost: TaskResult;
}

/** Invalid input found on the host's facts: the run ends with exit 3. */
export interface Problems {
  problems: Problem[];
}

export type Drift = { added: string[]; removed: string[] };

export type PreflightOutcome = { views: (PlanView | undefined)[] } | Problems | Lost;
export type ReplanOutcome = { drift?: Drift } | Problems | Lost;
/** Applied and verified: the host's results, how its plan moved when it was planned again, and
 *  what a health gate's keep kept before the apply. */
export type ApplyOutcome = { results: TaskResult[]; applied: boolean; drift?: Drift; kept?: Snapshot } | Problems | Lost;

/** A health-gated host's files, kept before its apply (none when its plan replaces no file). */
export type KeepOutcome = { kept?: Snapshot } | Lost;
export type RollbackResult = RollbackOutcome | Lost;

/** One step of an any_errors_fatal batch: one task of the host's plan, or the handlers notified
 *  by the tasks that ran. */
export type LockStep = { task: number } | { handlers: string[] };
export interface StepOutcome {
  results: TaskResult[];
  applied: boolean;
  unreachable: boolean;
  /** Handler keys the step's changes notified. */
  notified: string[];
}

/** After a step-by-step apply: each task that did not converge with why, or the verify's failure. */
export type Convergence = { drift: [task: string, msg: string][] } | Lost;

export interface HostStats {
  roundTrips: number;
  bytesUploaded: number;
}

export interface HostWork {
  /** One gather, then every play that targets the host planned on the facts the earlier plays leave. */
  preflight(host: string): Promise<PreflightOutcome>;
  /** The host's plan for a play on facts gathered now, compared with the lines it had. */
  replan(play: number, host: string, before: string[]): Promise<ReplanOutcome>;
  /** Plans the host for a play again on its latest facts (compared with the lines the run holds),
   *  applies in one guarded exec that gathers after, then verifies on what it gathered. `keep`:
   *  the run's token for a health gate, under which the files the plan replaces are kept first. */
  apply(play: number, host: string, before: string[], keep?: string): Promise<ApplyOutcome>;
  /** Keeps what the host's plan replaces (rollback.ts), named by the run's token. */
  keep(play: number, host: string, token: string): Promise<KeepOutcome>;
  /** The play's health tasks on the host (probe-host.ts). */
  probe(play: number, host: string): Promise<HostHealth>;
  /** Restores what keep kept and re-runs the plan's handlers. */
  rollback(play: number, host: string, kept: Snapshot): Promise<RollbackResult>;
  /** One step of an any_errors_fatal batch (lockstep.ts). */
  step(play: number, host: string, step: LockStep): Promise<StepOutcome>;
  /** Gathers again after a step-by-step apply: every task must now be a no-op. */
  converged(play: number, host: string): Promise<Convergence>;
  stats(host: string): HostStats;
  close(): Promise<void>;
}

export const isLost = (o: object): o is Lost => 'lost' in o;
export const hasProblems = (o: object): o is Problems => 'problems' in o;
