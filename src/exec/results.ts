// Per-task, per-host outcomes as the executor reports them.
import type { Change, ProbeResult } from '../module.js';
import { taskLabel, type HandlerPlan, type TaskPlan } from '../plan/types.js';
import { BlockFlow } from '../plan/block-flow.js';

export type ResultStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskResult {
  host: string;
  task: string;
  status: ResultStatus;
  /** `shown`: the task says diff: true, so its diff is shown without --diff too. */
  changes: { summary: string; diff?: string; shown?: true }[];
  msg?: string;
  warnings?: string[];
  handler?: boolean;
  /** The task has `no_log: true`: sinks show none of its content (src/secrets/no-log.ts). */
  no_log?: boolean;
  /** A failure a block's rescue part handles: shown as failed, counted as rescued, the host goes on. */
  rescued?: boolean;
  /** A health probe's checks, with the figures behind them (for the HTML report). */
  probes?: ProbeResult[];
}

/** A planned task's result as the plan shows it, before anything ran. */
export function plannedResult(host: string, t: TaskPlan): TaskResult {
  const r: TaskResult = {
    host,
    task: taskLabel(t),
    // A failure the plan knows of: ignored (ignore_errors), or handled by the block's rescue.
    status: t.status === 'failed' && t.ignoreErrors ? 'ok' : t.status,
    ...(t.status === 'failed' && !t.ignoreErrors && BlockFlow.rescuedAt(t.task.blocks ?? []) ? { rescued: true } : {}),
    changes: withDiffKeyword(shownChanges(t.changes), t.task.diff),
    ...noLogFlag(t.task.noLog),
  };
  if (t.warnings.length) r.warnings = t.warnings;
  if (t.msg) r.msg = t.msg;
  return r;
}

/** A planned handler's result as the plan shows it: changed when it changes something (debug does not). */
export function plannedHandlerResult(host: string, h: HandlerPlan): TaskResult {
  return {
    host,
    task: h.name,
    status: h.changes.length ? 'changed' : 'ok',
    changes: shownChanges(h.changes),
    handler: true,
    ...noLogFlag(h.noLog),
    ...(h.msg ? { msg: h.msg } : {}),
  };
}

export function noLogFlag(noLog: boolean | undefined): Pick<TaskResult, 'no_log'> {
  return noLog ? { no_log: true } : {};
}

export function shownChanges(changes: Change[]): TaskResult['changes'] {
  return changes.filter((c) => c.changed !== false).map((c) => (c.diff ? { summary: c.summary, diff: c.diff } : { summary: c.summary }));
}

/** The task's diff keyword: false hides its diffs, true shows them whatever --diff says. */
function withDiffKeyword(changes: TaskResult['changes'], diff: boolean | undefined): TaskResult['changes'] {
  if (diff === undefined) return changes;
  return changes.map(({ summary, diff: d }) => (diff && d ? { summary, diff: d, shown: true as const } : { summary }));
}
