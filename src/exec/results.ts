// Per-task, per-host outcomes as the executor reports them.
import type { Change, ProbeResult } from '../module.js';
import { taskLabel, type HandlerPlan, type TaskPlan } from '../plan/types.js';

export type ResultStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskResult {
  host: string;
  task: string;
  status: ResultStatus;
  changes: { summary: string; diff?: string }[];
  msg?: string;
  warnings?: string[];
  handler?: boolean;
  /** The task has `no_log: true`: sinks show none of its content (src/secrets/no-log.ts). */
  no_log?: boolean;
  /** A health probe's checks, with the figures behind them (for the HTML report). */
  probes?: ProbeResult[];
}

/** A planned task's result as the plan shows it, before anything ran. */
export function plannedResult(host: string, t: TaskPlan): TaskResult {
  const r: TaskResult = { host, task: taskLabel(t), status: t.status, changes: shownChanges(t.changes), ...noLogFlag(t.task.noLog) };
  if (t.warnings.length) r.warnings = t.warnings;
  if (t.msg) r.msg = t.msg;
  return r;
}

/** A planned handler's result as the plan shows it: it runs, so it changes. */
export function plannedHandlerResult(host: string, h: HandlerPlan): TaskResult {
  return { host, task: h.name, status: 'changed', changes: shownChanges(h.changes), handler: true, ...noLogFlag(h.noLog) };
}

export function noLogFlag(noLog: boolean | undefined): Pick<TaskResult, 'no_log'> {
  return noLog ? { no_log: true } : {};
}

export function shownChanges(changes: Change[]): TaskResult['changes'] {
  return changes.filter((c) => c.changed !== false).map((c) => (c.diff ? { summary: c.summary, diff: c.diff } : { summary: c.summary }));
}
