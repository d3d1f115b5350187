// The import graph between the engine's folders (src/<folder>/, each file at src/ root its own
// node), read from the TypeScript sources, and its cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** "src/exec/run.ts" -> "exec"; "src/errors.ts" -> "errors.ts"; outside src/ -> the top folder ("lab", "modules"). */
export function nodeOf(srcRoot: string, file: string): string {
  const rel = relative(srcRoot, file).split(sep);
  if (rel[0] === '..') return rel.find((p) => p !== '..') ?? '..';
  return rel.length === 1 ? rel[0]! : rel[0]!;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Imports with a relative specifier that load code at run time: `import type` and
 *  `export type` statements are erased by the compiler, so they order no module loading. */
const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/g;

export function folderGraph(srcRoot: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of tsFiles(srcRoot)) {
    const from = nodeOf(srcRoot, file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (m[2]) continue;
      const to = nodeOf(srcRoot, resolve(dirname(file), (m[3] ?? m[4])!));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every elementary cycle reported once, as the folders on it ("exec -> health -> exec"). */
export function cycles(graph: Map<string, Set<string>>): string[] {
  const out = new Set<string>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        out.add([...path, start].join(' -> '));
      } else if (!path.includes(next) && next > start && graph.has(next)) {
        walk(start, next, [...path, next]);
      }
    }
  };
  for (const n of [...graph.keys()].sort()) walk(n, n, [n]);
  return [...out].sort();
}
