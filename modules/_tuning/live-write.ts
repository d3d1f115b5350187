// Live kernel writes (sysfs, /proc/irq, /proc/sys) as one exec per change: `sh -c` so redirection
// works without a shell on the engine side, `set -e` and strictStderr so a refused value fails
// the change instead of passing silently. `printf '%s\n'`, not `echo`: echo reads a value such as
// `-n` or `-e` as an option, and `\` sequences inside one as escapes.
import type { Op } from '../../src/module.js';
import { shQuote } from '../_shared/sh-quote.js';

export interface LiveWrite {
  path: string;
  value: string;
}

export function liveWriteOp(writes: readonly LiveWrite[]): Op {
  const script = ['set -e', ...writes.map((w) => `printf '%s\\n' ${shQuote(w.value)} > ${shQuote(w.path)}`)].join('; ');
  const effects = writes.flatMap((w) => {
    const key = sysctlKeyOf(w.path);
    return key ? [{ kind: 'sysctl' as const, key, value: w.value }] : [];
  });
  return { kind: 'exec', argv: ['sh', '-c', script], live: true, strictStderr: true, ...(effects.length ? { effects } : {}) };
}

/** /proc/sys/vm/swappiness -> vm.swappiness (a dot inside a name becomes a slash, as sysctl(8) names it). */
export function sysctlKeyOf(path: string): string | undefined {
  if (!path.startsWith('/proc/sys/')) return undefined;
  return path
    .slice('/proc/sys/'.length)
    .split('/')
    .map((p) => p.replace(/\./g, '/'))
    .join('.');
}

/** "path: before -> after" lines for a Change's diff. */
export function liveDiff(lines: readonly { label: string; before: string | null; after: string }[]): string {
  return lines.map((l) => `${l.label}: ${l.before ?? '(absent)'} -> ${l.after}\n`).join('');
}
