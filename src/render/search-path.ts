// Where a relative file name of a task is looked up on the control machine, as Ansible looks:
// the task's role (its templates/ or files/ folder, then the role folder), then the playbook's
// folder the same way.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Candidate paths for `name`, first match wins; `sub` is "templates" or "files". */
export function searchPath(vars: Record<string, unknown>, sub: string, name: string): string[] {
  if (isAbsolute(name)) return [name];
  const bases = [vars.role_path, vars.playbook_dir].filter((b): b is string => typeof b === 'string');
  return bases.flatMap((b) => [join(b, sub, name), join(b, name)]);
}

/** The first candidate that is a file, or undefined. */
export function findFile(candidates: string[]): string | undefined {
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}
