// --json: one JSON object per line, the recap last. Progress is a terminal concern and is left out.
import type { Reporter, RunEvent } from './events.js';
import { formatProblem } from '../errors.js';

export function jsonReporter(write: (line: string) => void): Reporter {
  return {
    emit(e: RunEvent) {
      if (e.event === 'progress') return;
      if (e.event === 'problems') {
        write(JSON.stringify({ ...e, problems: e.problems.map((p) => ({ ...p, text: formatProblem(p) })) }) + '\n');
        return;
      }
      write(JSON.stringify(e) + '\n');
    },
  };
}
