// Ansible's host pattern subscripts: `group[i]` (i may be negative: -1 is the last host),
// `group[a:b]` (positions a to b, both included), `group[a:]` (a to the last); `[a-b]` is the
// older spelling of `[a:b]`. Quirks kept for parity: an end of 0 picks the start alone, and a
// range past the end is cut short while a single position past it is an error.

export interface Subscript {
  start: number;
  /** undefined: one position; -1: to the last host. */
  end?: number;
}

const WITH_SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)[:-]([0-9]*))\]$/s;

/** The pattern without its subscript, and the subscript; a regex (~re) never has one. */
export function splitSubscript(term: string): { expr: string; subscript?: Subscript } {
  const m = term.startsWith('~') ? null : WITH_SUBSCRIPT.exec(term);
  if (!m) return { expr: term };
  const [, expr, idx, start, end] = m;
  if (idx !== undefined) return { expr: expr!, subscript: { start: Number(idx) } };
  return { expr: expr!, subscript: { start: Number(start), end: end ? Number(end) : -1 } };
}

/** The hosts at the subscript's positions; undefined when a single position is out of range. */
export function applySubscript<T>(hosts: readonly T[], s: Subscript): T[] | undefined {
  if (s.end) return hosts.slice(s.start, s.end === -1 ? hosts.length : s.end + 1);
  const at = s.start < 0 ? hosts.length + s.start : s.start;
  return at >= 0 && at < hosts.length ? [hosts[at]!] : undefined;
}
