// --json: one JSON object per line, the recap last. Progress lines are a terminal concern and are left out.
import type { Reporter, RunEvent } from './events.js';
import { formatProblem } from '../errors.js';

export function jsonReporter(write: (line: string) => void): Reporter {
  return {
    emit(e: RunEvent) {
      if (e.event === 'progress' || e.event === 'plan_progress') return;
      if (e.event === 'problems') {
        write(JSON.stringify({ ...e, problems: e.problems.map((p) => ({ ...p, text: formatProblem(p) })) }) + '\n');
        return;
      }
      write(JSON.stringify(e) + '\n');
    },
  };
}
