// `import_role:` in a task list: a role's tasks inserted where it stands, as written (static, as
// Ansible imports it). `include_role:` decides at run time which tasks exist, so it is refused.
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import { posOf, recordPos } from '../source-map.js';
import { assignWithPos, isMapping } from '../vars/merge.js';
import type { Vars } from './types.js';

const IMPORT = ['import_role', 'ansible.builtin.import_role'];
const INCLUDE = ['include_role', 'ansible.builtin.include_role'];
/** import_role's own args. */
const ARGS = ['name', 'tasks_from', 'handlers_from', 'defaults_from', 'vars_from', 'allow_duplicates'];
/** Keywords of the import task that apply to every imported task. */
const TASK_KEYS = ['name', 'when', 'tags', 'vars'];

/** An include among `keys` in `item` is refused at its line, naming the import to use instead. */
export function refusedInclude(item: Vars, keys: string[], instead: string, path: string, pos: SourcePos, problems: Problem[]): boolean {
  const include = keys.find((k) => k in item);
  if (include)
    problems.push({
      message: `${include} is not supported`,
      pos: posOf(item, include) ?? pos,
      path: `${path}.${include}`,
      hint: `use ${instead}: its tasks are known before any host is read, so they can be planned`,
    });
  return include !== undefined;
}

/**
 * undefined: `item` is no role import. false: it is one, but wrong (the problem is pushed).
 * Otherwise the role entry it stands for (`role`, the *_from args, `when`, `tags`, `vars`).
 */
export function importRoleEntry(
  item: unknown,
  path: string,
  pos: SourcePos,
  problems: Problem[],
  allowed: boolean,
): Vars | false | undefined {
  if (!isMapping(item)) return undefined;
  if (refusedInclude(item, INCLUDE, 'import_role (the same args)', path, pos, problems)) return false;
  const key = IMPORT.find((k) => k in item);
  if (!key) return undefined;
  const at = (k: string) => posOf(item, k) ?? pos;
  if (!allowed) {
    problems.push({
      message: `${key} belongs in a play's tasks`,
      pos: at(key),
      path,
      hint: "a role's handlers join the play with its tasks",
    });
    return false;
  }
  const args = item[key];
  const before = problems.length;
  for (const k of Object.keys(item))
    if (k !== key && !TASK_KEYS.includes(k))
      problems.push({
        message: `"${k}" does not apply to ${key}`,
        pos: at(k),
        path: `${path}.${k}`,
        hint: `keep only ${TASK_KEYS.join(', ')}`,
      });
  if (!isMapping(args) || typeof args.name !== 'string') {
    problems.push({ message: `${key} needs "name: ROLE"`, pos: at(key), path: `${path}.${key}`, hint: `${key}:\n  name: myrole` });
    return false;
  }
  for (const k of Object.keys(args))
    if (!ARGS.includes(k))
      problems.push({
        message: `unknown ${key} arg "${k}"`,
        pos: posOf(args, k) ?? at(key),
        path: `${path}.${key}.${k}`,
        hint: `args: ${ARGS.join(', ')}`,
      });
  if (problems.length > before) return false;
  const { name, ...rest } = args;
  const entry: Vars = { role: name };
  const namePos = posOf(args, 'name');
  if (namePos) recordPos(entry, 'role', namePos);
  assignWithPos(entry, rest);
  for (const k of ['when', 'tags', 'vars']) if (item[k] !== undefined) assignWithPos(entry, { [k]: item[k] });
  for (const k of ['when', 'tags', 'vars']) {
    const p = posOf(item, k);
    if (p) recordPos(entry, k, p);
  }
  return entry;
}
