// `no_log: true` on a task or play: the task still runs, but nothing it would show (change
// summaries, diff content, messages, warnings, error text) leaves the engine. Diffs keep their
// shape (each line's +/-/space and the hunk headers), so the line count stays true.
import type { Problem } from '../errors.js';
import type { TaskResult } from '../exec/results.js';
import type { SettingState } from '../module.js';
import { SECRET_MARKER } from './redact.js';

const HIDDEN = `${SECRET_MARKER} (hidden: no_log is set)`;

export function censorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line === '' || line.startsWith('@@') || line.startsWith('---') || line.startsWith('+++') || line.startsWith('\\')) return line;
      const mark = line[0];
      return mark === '+' || mark === '-' || mark === ' ' ? `${mark}${SECRET_MARKER}` : SECRET_MARKER;
    })
    .join('\n');
}

export function censorResult(r: TaskResult): TaskResult {
  return {
    ...r,
    changes: r.changes.map((c) => (c.diff ? { summary: HIDDEN, diff: censorDiff(c.diff) } : { summary: HIDDEN })),
    ...(r.msg !== undefined ? { msg: HIDDEN } : {}),
    ...(r.warnings ? { warnings: r.warnings.map(() => HIDDEN) } : {}),
    ...(r.probes ? { probes: r.probes.map((p) => ({ check: p.check, ok: p.ok, value: HIDDEN })) } : {}),
  };
}

/** A setting of a no_log task in `verify`: its name and verdict, not its values. */
export function censorSetting(s: SettingState): SettingState {
  const hide = (v: string | null | undefined) => (v === undefined || v === null ? v : SECRET_MARKER);
  return { ...s, desired: SECRET_MARKER, live: hide(s.live), persisted: hide(s.persisted) };
}

/** A problem raised while planning a no_log task: where it is, not what the value was. */
export function censorProblem(p: Problem, noLog: boolean | undefined): Problem {
  return noLog ? { ...p, message: HIDDEN, hint: 'run once without no_log (on a test host) to see the error' } : p;
}
