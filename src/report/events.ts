// The event stream every run emits; reporters turn it into text or JSON lines.
import type { Problem } from '../errors.js';
import type { SettingState } from '../module.js';
import type { TaskResult } from '../exec/results.js';
import type { PhaseTimings } from '../timings.js';

export interface Recap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  /** Failures a block's rescue part handled (present once there is one). */
  rescued?: number;
}

/** A host's line in the final recap: its result counts, plus the SSH round trips (execs and
 *  transfers) the whole run made to it, connecting excluded. */
export interface HostRecap extends Recap {
  round_trips: number;
}

export type RunEvent =
  | { event: 'play_start'; play: string; hosts: string[]; check: boolean }
  | { event: 'batch_start'; batch: number; hosts: string[] }
  | { event: 'task_start'; task: string; handler?: boolean }
  /** A host's apply script has started this task's changes (as it happens; its result comes with the host's). */
  | { event: 'task_running'; host: string; task: string; handler?: boolean }
  | ({ event: 'result' } & TaskResult)
  | { event: 'progress'; batch: number; done: number; total: number; changed: number; failed: number; unreachable: number }
  /** Facts gathered and plans made so far, before any batch runs. */
  | { event: 'plan_progress'; done: number; total: number; failed: number; unreachable: number }
  /** Problems that end the run; `changed` lists what earlier batches ran, when anything did. */
  | { event: 'problems'; problems: Problem[]; changed?: { host: string; plays: string[] }[] }
  /** A host's plan made at its batch start differs from the preflight's. */
  | { event: 'replanned'; host: string; play: string; added: string[]; removed: string[] }
  | { event: 'halt'; reason: string }
  | { event: 'host_stats'; host: string; roundTrips: number; bytesUploaded: number }
  | { event: 'verify'; host: string; task: string; settings: SettingState[]; ok: boolean; no_log?: boolean }
  | { event: 'interrupted'; signal: string }
  /** Last; `timings`: where the run's wall time went (timings.ts), printed under -vv. */
  | { event: 'recap'; hosts: Record<string, HostRecap>; timings?: PhaseTimings };

export interface Reporter {
  emit(e: RunEvent): void;
}
