// One-line kernel values (rps_cpus, rps_flow_cnt, scheduler) of many files at once. A switch has
// hundreds of rx queues; each glob is a `files` query of kernel files, which the gather reads with
// the rest of its kernel values in one process, where a per-file query would fork several per file.
import type { Facts, FactQuery } from '../../src/facts/types.js';

/** Absolute kernel paths whose names hold only what interfaces.ts lets a pattern hold; no `..`. */
const SAFE_GLOB = /^(?!.*\/\.\.?(\/|$))(\/[A-Za-z0-9_.:@*?[\]!-]+)+$/;

/** The queries of the globs, each checked against SAFE_GLOB: the engine quotes all but their
 *  wildcards, and the shell expands them on the host. */
export function sysfsValuesQueries(globs: readonly string[]): FactQuery[] {
  for (const g of globs) if (!SAFE_GLOB.test(g)) throw new Error(`not a kernel path glob: ${JSON.stringify(g)}`);
  return globs.map((glob) => ({ kind: 'files', glob }));
}

/** A file's value as `grep -H .` shows it: its last non-empty line, trimmed; undefined when it has none. */
function lastLine(content: string): string | undefined {
  const lines = content.split('\n').filter((l) => l !== '');
  return lines.length ? lines[lines.length - 1]!.trim() : undefined;
}

/** path -> value (trimmed) for every readable, non-empty file the globs matched, in the globs'
 *  order; a file an earlier task of the play writes shows what it writes (the overlay's `sysfs`). */
export function sysfsValues(facts: Facts, globs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const glob of globs)
    for (const [path, content] of Object.entries(facts.files(glob))) {
      const value = lastLine(content);
      if (value !== undefined) out[path] = facts.sysfs(path) ?? value;
    }
  return out;
}
