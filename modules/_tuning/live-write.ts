// Live kernel writes (sysfs, /proc/irq, /proc/sys) as one exec per change: `sh -c` so redirection
// works without a shell on the engine side, `set -e` and strictStderr so a refused value fails
// the change instead of passing silently.
import type { Op } from '../../src/module.js';
import { shQuote } from '../_shared/sh-quote.js';

export interface LiveWrite {
  path: string;
  value: string;
}

export function liveWriteOp(writes: readonly LiveWrite[]): Op {
  const script = ['set -e', ...writes.map((w) => `echo ${shQuote(w.value)} > ${shQuote(w.path)}`)].join('; ');
  return { kind: 'exec', argv: ['sh', '-c', script], live: true, strictStderr: true };
}

/** "path: before -> after" lines for a Change's diff. */
export function liveDiff(lines: readonly { label: string; before: string | null; after: string }[]): string {
  return lines.map((l) => `${l.label}: ${l.before ?? '(absent)'} -> ${l.after}\n`).join('');
}
