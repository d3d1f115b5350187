// Where a relative file name of a task is looked up on the control machine, as Ansible looks:
// the task's role (its templates/ or files/ folder, then the role folder), then the playbook's
// folder the same way.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** The folders `name` is looked up in, in order; `sub` is "templates" or "files". */
export function searchFolders(vars: Record<string, unknown>, sub: string, name: string): string[] {
  if (isAbsolute(name)) return [dirname(name)];
  const bases = [vars.role_path, vars.playbook_dir].filter((b): b is string => typeof b === 'string');
  return bases.flatMap((b) => [join(b, sub), b]);
}

/** Candidate paths for `name`, first match wins; `sub` is "templates" or "files". */
export function searchPath(vars: Record<string, unknown>, sub: string, name: string): string[] {
  if (isAbsolute(name)) return [name];
  return searchFolders(vars, sub, name).map((folder) => join(folder, name));
}

/** The first candidate that is a file; else the first that exists at all (a folder, a FIFO), so
 *  that reading it says what it is; undefined when none is there. */
export function findFile(candidates: string[]): string | undefined {
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? candidates.find((c) => existsSync(c));
}
