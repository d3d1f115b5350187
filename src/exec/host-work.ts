// The boundary between the run's decisions (batches, serial, thresholds, the recap: run.ts) and the
// work on one host (gather, plan, apply, verify). LocalWork (local-work.ts) does that work over
// this process's transports; QueueWork (src/queue/) sends each call to a worker as a job, and the
// worker answers it with LocalWork. Everything that crosses this boundary is plain data.
import type { Problem } from '../errors.js';
import type { TaskResult } from './results.js';

/** What the run keeps of one host's plan for one play. */
export interface PlanView {
  host: string;
  /** Something to run on the host: a pending change, or ops that report ok. */
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
/** Applied and verified: the host's results, and how its plan moved when it was planned again. */
export type ApplyOutcome = { results: TaskResult[]; applied: boolean; drift?: Drift } | Problems | Lost;

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
   *  applies in one guarded exec that gathers after, then verifies on what it gathered. */
  apply(play: number, host: string, before: string[]): Promise<ApplyOutcome>;
  stats(host: string): HostStats;
  close(): Promise<void>;
}

export const isLost = (o: object): o is Lost => 'lost' in o;
export const hasProblems = (o: object): o is Problems => 'problems' in o;
