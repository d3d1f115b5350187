// Every user-facing error says where (file:line:col, host, task), what is wrong, and how to fix it.
import type { SourcePos } from './module.js';

export interface Problem {
  message: string;
  pos?: SourcePos;
  /** Dotted path inside the document or args, e.g. "plays[0].tasks[2].sysctl.settings". */
  path?: string;
  host?: string;
  task?: string;
  hint?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.pos ? `${p.pos.file}:${p.pos.line}:${p.pos.col}` : '';
  const ctx = [p.host && `host ${p.host}`, p.task && `task "${p.task}"`, p.path && `at ${p.path}`]
    .filter(Boolean)
    .join(', ');
  const head = [where, ctx].filter(Boolean).join(' ');
  return `${head ? head + ': ' : ''}${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}`;
}

/** Invalid input: carries every problem found, not just the first. Maps to exit code 3. */
export class ValidationError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ValidationError';
  }
}

export const EXIT = {
  ok: 0,
  failed: 1,
  changesPending: 2,
  invalid: 3,
  unreachable: 4,
} as const;
