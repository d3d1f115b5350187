// block / rescue / always, flattened into the play's task list: every task carries the blocks it
// sits in (outermost first) and inherits each block's when (checked first), tags, become,
// check_mode, diff, ignore_errors and no_log unless it sets them itself, as Ansible does.
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import { ownPosOf, posOf } from '../source-map.js';
import { ajvProblems, compileSchema } from '../validate/ajv.js';
import { BLOCK_KEYWORDS, taskKeywordsSchema } from '../validate/playbook-schema.js';
import { suggestionHint } from '../validate/suggest.js';
import { isMapping } from '../vars/merge.js';
import { splitTags, toList } from './task.js';
import type { Task, Vars } from './types.js';
import { whenSyntaxError } from './when.js';

/** Blocks nest; deeper than this is a mistake, and it bounds the work. */
const MAX_DEPTH = 20;

export function isBlock(raw: unknown): raw is Vars {
  return isMapping(raw) && ('block' in raw || 'rescue' in raw || 'always' in raw);
}

export type ConvertOne = (raw: unknown, path: string, pos: SourcePos) => Task[];

export function flattenBlock(
  raw: Vars,
  path: string,
  pos: SourcePos,
  nextId: () => number,
  convert: ConvertOne,
  problems: Problem[],
  depth = 0,
): Task[] {
  const before = problems.length;
  const validate = compileSchema(taskKeywordsSchema);
  const keywords = Object.fromEntries(Object.entries(raw).filter(([k]) => !['block', 'rescue', 'always'].includes(k)));
  if (!validate(keywords)) problems.push(...ajvProblems(validate.errors, { roots: [raw], basePath: path }));
  for (const k of Object.keys(raw).filter((k) => !BLOCK_KEYWORDS.includes(k))) {
    problems.push({
      message: `"${k}" is not a block keyword`,
      pos: posOf(raw, k),
      path: `${path}.${k}`,
      hint: `a block takes ${BLOCK_KEYWORDS.join(', ')}; ${suggestionHint(k, BLOCK_KEYWORDS, 'block keywords') ?? 'put the task inside block:'}`,
    });
  }
  if (!Array.isArray(raw.block)) {
    problems.push({
      message: 'a block needs "block:", a list of tasks',
      pos: ownPosOf(raw) ?? pos,
      path,
      hint: 'write "- block:" and indent its tasks below it',
    });
  }
  for (const part of ['rescue', 'always'] as const)
    if (raw[part] !== undefined && raw[part] !== null && !Array.isArray(raw[part]))
      problems.push({ message: `${part}: is a list of tasks`, pos: posOf(raw, part), path: `${path}.${part}` });
  if (depth >= MAX_DEPTH) problems.push({ message: `blocks nest deeper than ${MAX_DEPTH}`, pos: ownPosOf(raw) ?? pos, path });
  const when = toList(raw.when);
  for (const cond of when) {
    const err = whenSyntaxError(cond);
    if (err) problems.push({ message: `when: ${err}`, pos: posOf(raw, 'when'), path: `${path}.when` });
  }
  if (problems.length > before) return [];

  const id = nextId();
  const rescued = Array.isArray(raw.rescue) && raw.rescue.length > 0;
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  const out: Task[] = [];
  for (const part of ['block', 'rescue', 'always'] as const) {
    const list = raw[part];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      const at = `${path}.${part}[${i}]`;
      const itemPos = posOf(list, i) ?? pos;
      const tasks = isBlock(item) ? flattenBlock(item, at, itemPos, nextId, convert, problems, depth + 1) : convert(item, at, itemPos);
      for (const t of tasks) out.push(inherit(t, raw, when, { id, part, rescued, ...(name ? { name } : {}) }));
    });
  }
  return out;
}

/** Mutates the task: its source positions are recorded against this object. */
function inherit(t: Task, raw: Vars, when: string[], place: NonNullable<Task['blocks']>[number]): Task {
  const merged = [...when, ...toList(t.when)];
  if (merged.length) t.when = merged.length === 1 ? merged[0] : merged;
  t.tags = [...new Set([...toList(raw.tags).flatMap(splitTags), ...t.tags])];
  if (t.become === undefined && typeof raw.become === 'boolean') t.become = raw.become;
  if (t.becomeUser === undefined && typeof raw.become_user === 'string') t.becomeUser = raw.become_user;
  if (t.checkMode === undefined && typeof raw.check_mode === 'boolean') t.checkMode = raw.check_mode;
  if (t.diff === undefined && typeof raw.diff === 'boolean') t.diff = raw.diff;
  if (t.ignoreErrors === undefined && raw.ignore_errors !== undefined) t.ignoreErrors = raw.ignore_errors as boolean | string;
  if (t.noLog === undefined && raw.no_log === true) t.noLog = true;
  t.blocks = [place, ...(t.blocks ?? [])];
  return t;
}
