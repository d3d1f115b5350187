// `import_tasks:` in a task list: the tasks of another file inserted where it stands, with the
// import's when and tags added to each (static, as Ansible imports them). `include_tasks:`
// decides at run time which tasks exist, so it is refused.
import { dirname, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import { posOf } from '../source-map.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { noSuchFile } from '../read-regular.js';
import { isMapping } from '../vars/merge.js';
import { splitTags, toList } from './task.js';
import { refusedInclude } from './import-role.js';
import type { Task } from './types.js';

const IMPORT = ['import_tasks', 'ansible.builtin.import_tasks'];
const INCLUDE = ['include_tasks', 'ansible.builtin.include_tasks', 'include', 'ansible.builtin.include'];
const TASK_KEYS = ['name', 'when', 'tags'];
/** Imports nested deeper than this are refused: a bound on what one playbook can make us read. */
const MAX_DEPTH = 20;

export type ConvertList = (raw: unknown, path: string, pos: SourcePos, chain: string[]) => Task[];

/**
 * undefined: `item` imports no tasks. Otherwise the imported tasks (none after a problem, which
 * is pushed). `chain` holds the files being imported, to refuse a loop.
 */
export function importedTasks(
  item: unknown,
  at: string,
  pos: SourcePos,
  chain: string[],
  convert: ConvertList,
  problems: Problem[],
): Task[] | undefined {
  if (!isMapping(item)) return undefined;
  if (refusedInclude(item, INCLUDE, 'import_tasks (the same file)', at, pos, problems)) return [];
  const key = IMPORT.find((k) => k in item);
  if (!key) return undefined;
  const where = (k: string) => posOf(item, k) ?? pos;
  const before = problems.length;
  for (const k of Object.keys(item))
    if (k !== key && !TASK_KEYS.includes(k))
      problems.push({
        message: `"${k}" does not apply to ${key}`,
        pos: where(k),
        path: `${at}.${k}`,
        hint: `keep only ${TASK_KEYS.join(', ')}`,
      });
  const arg = item[key];
  const name = typeof arg === 'string' ? arg : isMapping(arg) && typeof arg.file === 'string' ? arg.file : undefined;
  if (name === undefined)
    problems.push({ message: `${key} needs a file name`, pos: where(key), path: `${at}.${key}`, hint: `${key}: other.yml` });
  if (problems.length > before || name === undefined) return [];

  // Relative to the importing file: the playbook's folder, or the role's tasks/ folder.
  const file = resolve(dirname(pos.file), name);
  if (chain.includes(file) || chain.length >= MAX_DEPTH) {
    const why = chain.includes(file)
      ? `import_tasks loop: ${[...chain, file].join(' → ')}`
      : `import_tasks nested deeper than ${MAX_DEPTH}`;
    problems.push({ message: why, pos: where(key), path: at, hint: 'a task file may not import itself, directly or through others' });
    return [];
  }
  const loaded = loadYamlFile(file);
  if (loaded.unread?.missing)
    problems.push({
      message: noSuchFile(name, [dirname(pos.file)]),
      pos: where(key),
      path: `${at}.${key}`,
      hint: `${key} names a file relative to the file that imports it (${pos.file}); create it there or fix the name`,
    });
  else if (loaded.unread) problems.push({ ...loaded.problems[0], pos: where(key) });
  else problems.push(...loaded.problems);
  if (loaded.problems.length) return [];
  if (loaded.value === null) return [];
  if (!Array.isArray(loaded.value)) {
    problems.push({
      message: `${file} must hold a list of tasks`,
      pos: { file, line: 1, col: 1 },
      hint: 'start each task with "- name: …"',
    });
    return [];
  }
  const when = item.when === undefined ? [] : Array.isArray(item.when) ? item.when.map(String) : [String(item.when)];
  const tags = toList(item.tags).flatMap(splitTags);
  const tasks = convert(loaded.value, name, { file, line: 1, col: 1 }, [...chain, file]);
  // In place: the converted tasks keep the source positions recorded on them.
  for (const t of tasks) {
    if (when.length) t.when = [...toList(t.when), ...when];
    if (tags.length) t.tags = [...new Set([...t.tags, ...tags])];
  }
  return tasks;
}
