// A job's answer, as it is stored in Redis: the outcome with no_log content censored and every
// secret the worker opened masked, plus the round trips and bytes this job cost the host.
import type {
  ApplyOutcome,
  Convergence,
  HostStats,
  KeepOutcome,
  PreflightOutcome,
  ReplanOutcome,
  RollbackResult,
  StepOutcome,
} from '../exec/host-work.js';
import type { HostHealth } from '../exec/probe-host.js';
import type { TaskResult } from '../exec/results.js';
import { censorResult } from '../secrets/no-log.js';
import { secrets } from '../secrets/redact.js';

export type Outcome =
  PreflightOutcome | ReplanOutcome | ApplyOutcome | KeepOutcome | HostHealth | RollbackResult | StepOutcome | Convergence;

export interface JobAnswer {
  outcome: Outcome;
  stats: HostStats;
}

const censored = (r: TaskResult): TaskResult => (r.no_log ? censorResult(r) : r);

export function safeAnswer(outcome: Outcome, stats: HostStats): JobAnswer {
  let o: Outcome = outcome;
  if ('lost' in o) o = { lost: censored(o.lost) };
  else if ('results' in o) o = { ...o, results: o.results.map(censored) };
  else if ('views' in o)
    o = { views: o.views.map((v) => v && { ...v, rows: v.rows.map((r) => ({ key: r.key, result: censored(r.result) })) }) };
  return secrets.redactValue({ outcome: o, stats });
}
