// The engine's one error model. Every user-facing error is a Problem that says where
// (file:line:col, host, task), what is wrong, and how to fix it. Error classes live here only;
// code tells them apart with instanceof.
import type { SourcePos } from './module.js';
import { oneLine } from './one-line.js';

export interface Problem {
  message: string;
  pos?: SourcePos;
  /** Dotted path inside the document or args, e.g. "plays[0].tasks[2].sysctl.settings". */
  path?: string;
  host?: string;
  /** The same problem found on several hosts (see groupProblems); `host` is then unset. */
  hosts?: string[];
  task?: string;
  hint?: string;
}

/** Hosts named in one line at most; the rest are counted. */
const HOSTS_SHOWN = 10;

function hostsText(hosts: string[]): string {
  const shown = hosts.slice(0, HOSTS_SHOWN).join(', ');
  return `hosts ${shown}${hosts.length > HOSTS_SHOWN ? ` (+${hosts.length - HOSTS_SHOWN} more)` : ''}`;
}

export function formatProblem(p: Problem): string {
  const where = p.pos ? `${p.pos.file}:${p.pos.line}:${p.pos.col}` : '';
  const on = p.hosts?.length ? hostsText(p.hosts) : p.host && `host ${p.host}`;
  const ctx = [on, p.task && `task "${oneLine(p.task)}"`, p.path && `at ${p.path}`].filter(Boolean).join(', ');
  const head = [where, ctx].filter(Boolean).join(' ');
  return `${head ? head + ': ' : ''}${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}`;
}

/** The same problem (message, place, task, hint) found on many hosts becomes one, with the host list. */
export function groupProblems(problems: Problem[]): Problem[] {
  const groups = new Map<string, { first: Problem; hosts: string[] }>();
  for (const p of problems) {
    const key = JSON.stringify([p.message, p.pos, p.path, p.task, p.hint]);
    const g = groups.get(key);
    const hosts = p.hosts ?? (p.host ? [p.host] : []);
    if (!g) groups.set(key, { first: p, hosts: [...hosts] });
    else for (const h of hosts) if (!g.hosts.includes(h)) g.hosts.push(h);
  }
  return [...groups.values()].map(({ first, hosts }) => {
    if (hosts.length < 2) return first;
    const { host: _one, ...rest } = first;
    // Hosts finish planning in any order; the list reads the same every run.
    return { ...rest, hosts: hosts.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) };
  });
}

/** Invalid input: carries every problem found, not just the first. Maps to exit code 3. */
export class ValidationError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ValidationError';
  }
}

/** A host cannot be reached; the executor reports such hosts as unreachable, not failed. */
export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** The host answered, but the fact-gathering script failed there. */
export class GatherError extends Error {
  override name = 'GatherError';
}

/** A template or expression could not be rendered; `hint` says how to fix it. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The message of anything thrown, for a result line; never a stack trace. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const EXIT = {
  ok: 0,
  failed: 1,
  changesPending: 2,
  invalid: 3,
  unreachable: 4,
  /** A bug in portsync-deploy itself (EX_SOFTWARE): one line and a request to report it, never a stack trace. */
  internal: 70,
} as const;
