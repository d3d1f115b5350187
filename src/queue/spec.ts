// What a worker needs to load the same run as the coordinator: the paths and options it was
// given, never what they hold. Each worker reads the playbook and inventory itself and opens
// vault values with its own password, so no secret travels through Redis.
import type { LockStep } from '../exec/host-work.js';
import type { Snapshot } from '../exec/rollback.js';
import type { Vars } from '../playbook/types.js';

export interface RunSpec {
  /** One run of the coordinator: a worker loads the workspace once per run. */
  id: string;
  playbook: string;
  inventory: string[];
  extraVars: string[];
  limit?: string;
  tags: string[];
  skipTags: string[];
  /** --start-at-task: the worker leaves out the same tasks, so task indices agree. */
  startAtTask?: string;
  check: boolean;
  connectionVars: Vars;
  forceHandlers: boolean;
  acceptNewHostKeys: boolean;
  /** -vvv and over: workers send each connection, exec and upload as it happens. */
  verbosity: number;
}

export type JobKind = 'preflight' | 'replan' | 'apply' | 'keep' | 'probe' | 'rollback' | 'step' | 'converged';

export interface JobData {
  run: RunSpec;
  kind: JobKind;
  host: string;
  /** Index of the play in the playbook (-1 for the preflight, which plans them all). */
  play: number;
  /** replan and apply: the lines of the plan the coordinator holds. */
  before: string[];
  /** keep, and apply under a health gate: the run's name for what it keeps on the host. */
  token?: string;
  /** rollback: what keep kept (paths and summaries; the content stays on the host). */
  kept?: Snapshot;
  /** step: which step of an any_errors_fatal batch. */
  step?: LockStep;
}
