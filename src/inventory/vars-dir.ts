// group_vars/ and host_vars/: "<name>.yml|.yaml|.json" (or no extension), or a folder "<name>/"
// whose files are merged in lexical order (sub-folders included), as Ansible does.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import { recordOwnPos } from '../source-map.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { assignWithPos, isMapping } from '../vars/merge.js';

const VARS_EXT = /\.(ya?ml|json)$/;

/** The vars files of `dir` by the name they give variables to, in the order they load; `path` is
 *  the entry itself (a file, or a folder of files). An absent `dir` has none. */
export function varsFilesIn(dir: string): { name: string; path: string; files: string[] }[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    const isDir = statSync(path).isDirectory();
    if (!isDir && entry.includes('.') && !VARS_EXT.test(entry)) continue;
    out.push({ name: isDir ? entry : entry.replace(VARS_EXT, ''), path, files: isDir ? filesUnder(path) : [path] });
  }
  return out;
}

/** Vars per name found in `dir` (absent dir → empty map). */
export function loadVarsDir(dir: string, problems: Problem[]): Map<string, Vars> {
  const out = new Map<string, Vars>();
  for (const { name, path, files } of varsFilesIn(dir)) {
    const vars = out.get(name) ?? {};
    if (!out.has(name)) recordOwnPos(vars, { file: files[0] ?? path, line: 1, col: 1 });
    for (const file of files) {
      const { value, problems: p } = loadYamlFile(file);
      problems.push(...p);
      if (p.length || value === null || value === undefined) continue;
      if (!isMapping(value)) {
        problems.push({
          message: `expected a mapping of variables, got ${Array.isArray(value) ? 'a list' : typeof value}`,
          pos: { file, line: 1, col: 1 },
          hint: 'a vars file holds "name: value" lines',
        });
        continue;
      }
      assignWithPos(vars, value);
    }
    out.set(name, vars);
  }
  return out;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (!entry.includes('.') || VARS_EXT.test(entry)) out.push(path);
  }
  return out;
}
