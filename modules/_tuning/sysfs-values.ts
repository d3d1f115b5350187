// One-line kernel values (smp_affinity_list, rps_cpus, rps_flow_cnt) of many files at once. A
// switch has hundreds of IRQs and rx queues; one `grep -H` reads them all in a single process,
// where a per-file query would fork several processes per file.
import type { Facts, FactQuery } from '../../src/facts/types.js';
import { shGlob } from '../../src/script/shell.js';

/** Absolute kernel paths whose names hold only what interfaces.ts lets a pattern hold; no `..`. */
const SAFE_GLOB = /^(?!.*\/\.\.?(\/|$))(\/[A-Za-z0-9_.:@*?[\]!-]+)+$/;

/** The shell expands the globs: each is checked against SAFE_GLOB, then quoted but for its
 *  wildcards by the engine's quoting helper, so no other character is read by the shell. Globs
 *  that match a few files (`few`) are read by shell builtins, line by line as grep prints them,
 *  and start no process; builtins read a byte per system call, so many files go to one grep. */
export function sysfsValuesQuery(globs: readonly string[], few = false): FactQuery & { kind: 'cmd' } {
  for (const g of globs) if (!SAFE_GLOB.test(g)) throw new Error(`not a kernel path glob: ${JSON.stringify(g)}`);
  const files = globs.map(shGlob).join(' ');
  const script = few
    ? `for f in ${files}; do [ -f "$f" ] && [ -r "$f" ] || continue; while IFS= read -r l || [ -n "$l" ]; do [ -n "$l" ] && printf '%s:%s\\n' "$f" "$l"; done < "$f"; done; true`
    : `grep -H . -- ${files} 2>/dev/null; true`;
  return { kind: 'cmd', argv: ['sh', '-c', script], inShell: true };
}

/** path -> value (trimmed) for every readable, non-empty file the globs matched; a file an earlier
 *  task of the play writes shows what it writes (the overlay's `sysfs`). */
export function sysfsValues(facts: Facts, globs: readonly string[], few = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of facts.cmd(sysfsValuesQuery(globs, few).argv).stdout.split('\n')) {
    // Paths under /proc/irq and /sys/class/net hold no ':'; values hold none either.
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  for (const path of Object.keys(out)) out[path] = facts.sysfs(path) ?? out[path]!;
  return out;
}
