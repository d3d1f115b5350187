// Live kernel writes (sysfs, /proc/irq, /proc/sys) as one exec per change: `sh -c` so redirection
// works without a shell on the engine side, `set -e` and strictStderr so a refused value fails
// the change instead of passing silently. `printf '%s\n'`, not `echo`: echo reads a value such as
// `-n` or `-e` as an option, and `\` sequences inside one as escapes. Each write is declared as an
// effect (a sysctl under /proc/sys, else a sysfs value), so a later task of the play plans
// against the written value.
import type { Effect, Op } from '../../src/module.js';
import { shQuote } from '../_shared/sh-quote.js';

export interface LiveWrite {
  path: string;
  value: string;
  /** What a read of the file shows after the write, when that is not `value` itself (a choice
   *  list such as "always [madvise] never": see choiceAfterWrite). */
  reads?: string;
}

export function liveWriteOp(writes: readonly LiveWrite[]): Op {
  const script = ['set -e', ...writes.map((w) => `printf '%s\\n' ${shQuote(w.value)} > ${shQuote(w.path)}`)].join('; ');
  const effects = writes.map((w): Effect => {
    const key = sysctlKeyOf(w.path);
    return key ? { kind: 'sysctl', key, value: w.value } : { kind: 'sysfs', path: w.path, value: w.reads ?? w.value };
  });
  return { kind: 'exec', argv: ['sh', '-c', script], live: true, strictStderr: true, ...(effects.length ? { effects } : {}) };
}

/** A choice file ("none [mq-deadline] kyber") after `value` is written: the same choices with the
 *  brackets on `value`. A file of one word (an emulated knob that keeps what was written, as in
 *  the switch lab) then holds `value`. */
export function choiceAfterWrite(text: string, value: string): string {
  const words = text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/^\[(.*)\]$/, '$1'));
  return words.length > 1 ? words.map((w) => (w === value ? `[${w}]` : w)).join(' ') : value;
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
