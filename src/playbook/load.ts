// Loads a playbook (a list of plays and import_playbook entries, followed recursively) and checks
// it completely before any host is contacted: structure, task keywords, module names, literal
// module args, `when` syntax and notify targets. Every problem is collected, then thrown at once.
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import type { ModuleRegistry } from '../modules-registry.js';
import { ownPosOf, posOf, recordOwnPos, recordPos } from '../source-map.js';
import { ajvProblems, compileSchema } from '../validate/ajv.js';
import { importSchema, playSchema } from '../validate/playbook-schema.js';
import { suggestionHint } from '../validate/suggest.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { noSuchFile } from '../read-regular.js';
import { isMapping } from '../vars/merge.js';
import { healthTaskProblems, probeTaskProblems } from '../health/tasks.js';
import { convertTask, splitTags, toList } from './task.js';
import { DEFAULT_ROLES_PATH, RoleLoader } from './roles.js';
import { importRoleEntry } from './import-role.js';
import { importedTasks } from './import-tasks.js';
import { flattenBlock, isBlock } from './blocks.js';
import type { Play, Task, Vars } from './types.js';

/** Play keys as written → Play fields, so posOf(play, field) names the line the user wrote. */
const FIELD_OF: Record<string, keyof Play> = {
  name: 'name',
  hosts: 'hosts',
  vars: 'vars',
  vars_files: 'varsFiles',
  serial: 'serial',
  max_fail_percentage: 'maxFailPercentage',
  any_errors_fatal: 'anyErrorsFatal',
  tags: 'tags',
  gather_facts: 'gatherFacts',
  roles: 'roles',
  become: 'become',
  become_user: 'becomeUser',
  tasks: 'tasks',
  handlers: 'handlers',
  health: 'health',
};

export interface PlaybookOptions {
  /** Folders searched for roles after roles/ beside the playbook; empty: Ansible's default roles_path. */
  rolesPath?: string[];
  home?: string;
}

export function loadPlaybook(file: string, registry: ModuleRegistry, opts: PlaybookOptions = {}): Play[] {
  return [...playbookPlays(file, registry, opts)];
}

/** The plays of `file` one by one as each is loaded and checked, so that a run can start on the
 *  first while the rest loads; none after the first problem. Every problem is thrown at the end,
 *  as loadPlaybook throws them. */
export function* playbookPlays(file: string, registry: ModuleRegistry, opts: PlaybookOptions = {}): Generator<Play, void, undefined> {
  const problems: Problem[] = [];
  const ctx: LoadContext = {
    registry,
    rolesPath: opts.rolesPath?.length ? opts.rolesPath : DEFAULT_ROLES_PATH,
    home: opts.home ?? os.homedir(),
  };
  yield* loadFile(resolve(file), [], undefined, ctx, problems);
  if (problems.length) throw new ValidationError(problems);
}

interface LoadContext {
  registry: ModuleRegistry;
  rolesPath: string[];
  home: string;
}

function* loadFile(
  file: string,
  chain: string[],
  importedAt: SourcePos | undefined,
  ctx: LoadContext,
  problems: Problem[],
): Generator<Play, void, undefined> {
  if (chain.includes(file)) {
    problems.push({
      message: `import_playbook loop: ${[...chain, file].join(' → ')}`,
      pos: importedAt,
      hint: 'a playbook may not import itself, directly or through others',
    });
    return;
  }
  const { value, problems: yamlProblems, unread } = loadYamlFile(file);
  if (unread) {
    const [p] = yamlProblems;
    problems.push(
      unread.missing
        ? {
            message: noSuchFile(file, [importedAt ? dirname(importedAt.file) : process.cwd()]),
            pos: importedAt,
            hint: importedAt
              ? `import_playbook names a file relative to the playbook that imports it (${importedAt.file}); create it there or fix the name`
              : `give the playbook's path (relative to ${process.cwd()})`,
          }
        : { ...p, pos: importedAt ?? p.pos },
    );
    return;
  }
  if (yamlProblems.length) {
    problems.push(...yamlProblems);
    return;
  }
  if (!Array.isArray(value)) {
    problems.push({
      message: `a playbook is a list of plays, got ${value === null ? 'an empty file' : isMapping(value) ? 'a mapping' : typeof value}`,
      pos: { file, line: 1, col: 1 },
      hint: 'start each play with "- hosts: …"',
    });
    return;
  }
  for (const [i, item] of value.entries()) {
    const path = `plays[${i}]`;
    const pos = posOf(value, i) ?? { file, line: 1, col: 1 };
    if (isMapping(item) && 'import_playbook' in item) {
      const validateImport = compileSchema(importSchema);
      if (!validateImport(item)) {
        problems.push(...ajvProblems(validateImport.errors, { roots: [item], basePath: path }));
        continue;
      }
      const target = resolve(dirname(file), String(item.import_playbook));
      yield* loadFile(target, [...chain, file], posOf(item, 'import_playbook') ?? pos, ctx, problems);
      continue;
    }
    const play = convertPlay(item, path, pos, file, ctx, problems);
    if (play && !problems.length) yield play;
  }
}

function convertPlay(raw: unknown, path: string, pos: SourcePos, file: string, ctx: LoadContext, problems: Problem[]): Play | undefined {
  const before = problems.length;
  const validatePlay = compileSchema(playSchema);
  if (!validatePlay(raw)) problems.push(...ajvProblems(validatePlay.errors, { roots: [raw], basePath: path }));
  if (!isMapping(raw)) return undefined;
  const { registry } = ctx;
  const convert = (list: unknown, at: string, p: SourcePos, isHandler: boolean): Task[] =>
    convertTasks(list, at, p, registry, isHandler, problems, roles);
  const roles = new RoleLoader(dirname(file), ctx.rolesPath, ctx.home, convert, problems);
  // As Ansible orders them: the roles' tasks, then the play's; the roles' handlers, then the play's.
  const roleTasks = Array.isArray(raw.roles)
    ? raw.roles.flatMap((entry, i) =>
        roles.tasksOf({ raw: entry, pos: posOf(raw.roles as object, i) ?? pos, path: `${path}.roles[${i}]` }, true),
      )
    : [];
  const tasks = [...roleTasks, ...convert(raw.tasks, `${path}.tasks`, pos, false)];
  const handlers = [...roles.handlers, ...convert(raw.handlers, `${path}.handlers`, pos, true)];
  checkHandlers(
    raw.handlers,
    raw.tasks,
    registry,
    path,
    problems,
    roles.handlers,
    tasks.filter((t) => t.role !== undefined),
  );
  const health = convertTasks(raw.health, `${path}.health`, pos, registry, false, problems);
  problems.push(...healthTaskProblems(health, registry));
  problems.push(...probeTaskProblems(tasks, 'tasks', registry), ...probeTaskProblems(handlers, 'handlers', registry));
  if (raw.any_errors_fatal === true) {
    const stepwise = tasks.find((t) => t.blocks || t.meta === 'flush_handlers');
    if (stepwise)
      problems.push({
        message: `${stepwise.blocks ? 'block' : 'meta: flush_handlers'} in a play with any_errors_fatal is not supported`,
        pos: stepwise.pos,
        path,
        task: stepwise.name,
        hint: 'any_errors_fatal runs the hosts task by task together; move the block to a play without it',
      });
  }
  if (problems.length > before) return undefined;
  // A play's no_log covers its tasks, unless a task sets no_log itself.
  if (raw.no_log === true) for (const t of [...tasks, ...handlers, ...health]) if (!posOf(t, 'no_log')) t.noLog = true;

  const hosts = Array.isArray(raw.hosts) ? raw.hosts.join(',') : String(raw.hosts);
  const vars = (raw.vars as Vars | null) ?? emptyAt(posOf(raw, 'vars') ?? pos);
  const play: Play = {
    name: typeof raw.name === 'string' ? raw.name : hosts,
    hosts,
    ...(Array.isArray(raw.hosts) ? { hostList: raw.hosts.map(String) } : {}),
    vars,
    varsFiles: Array.isArray(raw.vars_files) ? (raw.vars_files as string[]) : toList(raw.vars_files),
    serial:
      raw.serial === undefined ? [] : Array.isArray(raw.serial) ? (raw.serial as (number | string)[]) : [raw.serial as number | string],
    maxFailPercentage: raw.max_fail_percentage as number | undefined,
    anyErrorsFatal: raw.any_errors_fatal === true,
    tags: toList(raw.tags).flatMap(splitTags),
    gatherFacts: raw.gather_facts !== false,
    roles: roles.uses,
    ...(typeof raw.become === 'boolean' ? { become: raw.become } : {}),
    ...(typeof raw.become_user === 'string' ? { becomeUser: raw.become_user } : {}),
    tasks,
    handlers,
    ...(health.length ? { health } : {}),
    pos: ownPosOf(raw) ?? pos,
  };
  for (const [key, field] of Object.entries(FIELD_OF)) {
    const p = posOf(raw, key);
    if (p) recordPos(play, field, p);
  }
  return play;
}

/** Block ids, unique across every task list (a play's, its roles' files): a task's blocks are told apart by id. */
let blockIds = 0;

function convertTasks(
  raw: unknown,
  path: string,
  pos: SourcePos,
  registry: ModuleRegistry,
  isHandler: boolean,
  problems: Problem[],
  roles?: RoleLoader,
  chain: string[] = [],
): Task[] {
  if (!Array.isArray(raw)) return [];
  const out: Task[] = [];
  const convertFile = (list: unknown, at: string, p: SourcePos, inner: string[]) =>
    convertTasks(list, at, p, registry, isHandler, problems, roles, inner);
  const one = (item: unknown, at: string, itemPos: SourcePos): Task[] => {
    const task = convertTask(item, at, itemPos, registry, isHandler, problems);
    return task ? [task] : [];
  };
  raw.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const itemPos = posOf(raw, i) ?? pos;
    const fromFile = importedTasks(item, at, itemPos, chain, convertFile, problems);
    if (fromFile) return void out.push(...fromFile);
    const imported = importRoleEntry(item, at, itemPos, problems, roles !== undefined && !isHandler);
    if (imported === undefined) {
      if (isBlock(item) && !isHandler) out.push(...flattenBlock(item, at, itemPos, () => ++blockIds, one, problems));
      else out.push(...one(item, at, itemPos));
    } else if (imported && roles) out.push(...roles.tasksOf({ raw: imported, pos: itemPos, path: at }, false));
  });
  return out;
}

/**
 * Handlers have unique names, and every notify names a handler, a listen topic or a module handler.
 * Works on the tasks as written, so tasks with other problems are checked too.
 */
function checkHandlers(
  rawHandlers: unknown,
  rawTasks: unknown,
  registry: ModuleRegistry,
  path: string,
  problems: Problem[],
  roleHandlers: Task[],
  roleTasks: Task[],
): void {
  const handlers = mappings(rawHandlers);
  const names = new Map<string, SourcePos | undefined>();
  for (const h of handlers) {
    if (typeof h.name !== 'string') continue;
    const first = names.get(h.name);
    if (names.has(h.name)) {
      problems.push({
        message: `handler "${h.name}" is defined twice` + (first ? ` (first at ${first.file}:${first.line})` : ''),
        pos: ownPosOf(h),
        path: `${path}.handlers`,
        hint: 'give each handler its own name; use listen: to trigger several from one notify',
      });
    }
    names.set(h.name, ownPosOf(h));
  }
  const targets = new Set([
    ...names.keys(),
    ...handlers.flatMap((h) => toList(h.listen)),
    ...roleHandlers.flatMap((h) => [h.name, ...h.listen]),
    ...registry.handlers().keys(),
  ]);
  const written: (Vars | Task)[] = [...mappings(rawTasks), ...handlers, ...roleTasks, ...roleHandlers];
  for (const t of written) {
    for (const n of toList(t.notify)) {
      if (targets.has(n)) continue;
      problems.push({
        message: `notify "${n}": no handler of this play is called or listens to that`,
        pos: posOf(t, 'notify') ?? ownPosOf(t),
        path,
        task: typeof t.name === 'string' ? t.name : undefined,
        hint: suggestionHint(n, [...targets], 'handlers'),
      });
    }
  }
}

/** The tasks of a list, those inside blocks included. */
function mappings(list: unknown): Vars[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isMapping).flatMap((t) => (isBlock(t) ? [t.block, t.rescue, t.always].flatMap(mappings) : [t]));
}

function emptyAt(pos: SourcePos): Vars {
  const v: Vars = {};
  recordOwnPos(v, pos);
  return v;
}
