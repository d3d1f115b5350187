// One task (or handler) as written → Task. The single key that is not a task keyword names the module.
import type { Problem } from '../errors.js';
import type { ModuleRegistry } from '../modules-registry.js';
import { ownPosOf, posOf, recordOwnPos, recordPos } from '../source-map.js';
import { ajvProblems, compileSchema } from '../validate/ajv.js';
import { TASK_KEYWORDS, taskKeywordsSchema } from '../validate/playbook-schema.js';
import { suggestionHint } from '../validate/suggest.js';
import { hasTemplate } from '../render/expr-template.js';
import { assignWithPos, isMapping } from '../vars/merge.js';
import type { MetaAction, Task, Vars } from './types.js';
import { whenSyntaxError } from './when.js';
import { META_ACTIONS, REFUSED_META, REFUSED_TASK_KEYWORDS } from './refused-keywords.js';
import type { SourcePos } from '../module.js';

const LOOP_KINDS = ['loop', 'with_items', 'with_dict'] as const;

export function toList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

export function convertTask(
  raw: unknown,
  path: string,
  fallbackPos: SourcePos,
  registry: ModuleRegistry,
  isHandler: boolean,
  problems: Problem[],
): Task | undefined {
  const pos = (raw !== null && typeof raw === 'object' && ownPosOf(raw)) || fallbackPos;
  if (!isMapping(raw)) {
    problems.push({
      message: `expected a task (a mapping such as "- name: …\\n  sysctl: {…}"), got ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}`,
      pos,
      path,
    });
    return undefined;
  }
  const validateKeywords = compileSchema(taskKeywordsSchema);
  const before = problems.length;
  if (!validateKeywords(raw)) problems.push(...ajvProblems(validateKeywords.errors, { roots: [raw], basePath: path }));
  if (!isHandler && raw.listen !== undefined) {
    problems.push({
      message: '"listen" is only for handlers',
      pos: posOf(raw, 'listen'),
      path: `${path}.listen`,
      hint: 'move this task under handlers:, or use notify: to trigger a handler',
    });
  }

  for (const k of Object.keys(raw).filter((k) => REFUSED_TASK_KEYWORDS[k])) {
    const { why, hint } = REFUSED_TASK_KEYWORDS[k]!;
    problems.push({ message: `task keyword "${k}" is not supported: ${why}`, pos: posOf(raw, k), path: `${path}.${k}`, hint });
  }
  const others = Object.keys(raw).filter((k) => !TASK_KEYWORDS.includes(k) && !REFUSED_TASK_KEYWORDS[k]);
  if (others.length === 1 && others[0] === 'meta') return metaTask(raw, path, pos, isHandler, problems, before);
  const modules = others.filter((k) => registry.get(k));
  const unknown = others.filter((k) => !registry.get(k));
  const keyHint = (k: string) => suggestionHint(k, [...registry.names(), ...TASK_KEYWORDS], 'modules and task keys');
  for (const k of unknown) {
    const message = modules.length ? `unknown task key "${k}"` : `unknown module "${k}"`;
    const instead = registry.coveredBy(k);
    const hint =
      !modules.length && instead.length
        ? `this tool does that job with ${instead.map((m) => `"${m}"`).join(' or ')}; see its args in the README`
        : keyHint(k);
    problems.push({ message, pos: posOf(raw, k), path: `${path}.${k}`, hint });
  }
  if (modules.length > 1) {
    problems.push({
      message: `a task runs exactly one module, but this one names ${modules.length}: ${modules.join(', ')}`,
      pos,
      path,
      hint: 'split it into one task per module',
    });
  }
  if (!others.length) problems.push({ message: 'task names no module', pos, path, hint: `add one of: ${registry.names().join(', ')}` });
  if (modules.length !== 1) return undefined;

  const module = modules[0];
  const rawArgs = raw[module];
  let args: Vars;
  if (rawArgs === null || rawArgs === undefined) {
    args = {};
    recordOwnPos(args, posOf(raw, module) ?? pos);
  } else if (isMapping(rawArgs)) {
    args = rawArgs;
  } else if (typeof rawArgs === 'string' && registry.get(module)?.freeForm) {
    args = {};
    recordOwnPos(args, posOf(raw, module) ?? pos);
    args[registry.get(module)!.freeForm!] = rawArgs;
    const p = posOf(raw, module);
    if (p) recordPos(args, registry.get(module)!.freeForm!, p);
  } else {
    problems.push({
      message: `args of module "${module}" must be a mapping, got ${Array.isArray(rawArgs) ? 'a list' : typeof rawArgs}`,
      pos: posOf(raw, module),
      path: `${path}.${module}`,
      hint: `write "${module}:" and its args indented below it as "name: value" lines`,
    });
    return undefined;
  }
  // `args:` beside the module, as Ansible merges it (the module's own mapping wins).
  if (isMapping(raw.args)) args = assignWithPos(assignWithPos({}, raw.args), args);
  // Literal args are checked now; templated values are checked per host once rendered.
  const skip = (argPath: (string | number)[]) => templatedAlong(args, argPath);
  problems.push(...registry.validateArgs(module, structuredClone(args), args, skip).map((p) => ({ ...p, path: `${path}.${p.path}` })));

  const when = conditionsOf(raw, 'when', path, problems);
  const changedWhen = conditionsOf(raw, 'changed_when', path, problems);
  const failedWhen = conditionsOf(raw, 'failed_when', path, problems);
  const loops = LOOP_KINDS.filter((k) => raw[k] !== undefined);
  if (loops.length > 1) {
    problems.push({
      message: `a task has one loop, but this one has ${loops.length}: ${loops.join(', ')}`,
      pos: posOf(raw, loops[1]!),
      path: `${path}.${loops[1]}`,
      hint: `keep one of ${loops.join(', ')}`,
    });
  }
  if (problems.length > before) return undefined;

  const task: Task = {
    name: typeof raw.name === 'string' ? raw.name : module,
    module,
    args,
    when: when as string | string[] | undefined,
    tags: toList(raw.tags).flatMap(splitTags),
    notify: toList(raw.notify),
    listen: toList(raw.listen),
    ...(raw.no_log === true ? { noLog: true } : {}),
    ...loopOf(raw),
    ...(raw.ignore_errors !== undefined ? { ignoreErrors: raw.ignore_errors as boolean | string } : {}),
    ...(typeof raw.register === 'string' ? { register: raw.register } : {}),
    ...(changedWhen !== undefined ? { changedWhen: [changedWhen].flat() } : {}),
    ...(failedWhen !== undefined ? { failedWhen: [failedWhen].flat() } : {}),
    ...keywordFlags(raw),
    pos,
  };
  for (const k of TASK_KEYWORDS) {
    const p = posOf(raw, k);
    if (p) recordPos(task, k, p);
  }
  const argsPos = posOf(raw, module);
  if (argsPos) recordPos(task, 'args', argsPos);
  return task;
}

/** when / changed_when / failed_when as written (a list must all hold), each checked for syntax now. */
function conditionsOf(raw: Vars, key: string, path: string, problems: Problem[]): string | (string | boolean)[] | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  const list: (string | boolean)[] = Array.isArray(v)
    ? v.map((c) => (typeof c === 'boolean' ? c : String(c)))
    : [typeof v === 'boolean' ? v : String(v)];
  for (const [i, cond] of list.entries()) {
    if (typeof cond === 'boolean') continue;
    const err = whenSyntaxError(cond);
    if (err)
      problems.push({
        message: `${key}: ${err}`,
        pos: Array.isArray(v) ? posOf(v, i) : posOf(raw, key),
        path: `${path}.${key}`,
        hint: "e.g. when: tuning_profile == 'latency' and facts.numaNodes | length > 1",
      });
  }
  if (key !== 'when') return list;
  return Array.isArray(v) ? list.map(String) : String(list[0]);
}

function keywordFlags(raw: Vars): Pick<Task, 'checkMode' | 'diff' | 'become' | 'becomeUser'> {
  return {
    ...(typeof raw.check_mode === 'boolean' ? { checkMode: raw.check_mode } : {}),
    ...(typeof raw.diff === 'boolean' ? { diff: raw.diff } : {}),
    ...(typeof raw.become === 'boolean' ? { become: raw.become } : {}),
    ...(typeof raw.become_user === 'string' ? { becomeUser: raw.become_user } : {}),
  };
}

/** `meta: flush_handlers` (and the harmless noop / end_host): an engine action, no module. */
function metaTask(raw: Vars, path: string, pos: SourcePos, isHandler: boolean, problems: Problem[], before: number): Task | undefined {
  const action = String(raw.meta);
  const where = { pos: posOf(raw, 'meta'), path: `${path}.meta` };
  if (isHandler) problems.push({ message: 'meta: is not supported in a handler', ...where, hint: 'move it under tasks:' });
  else if (!(META_ACTIONS as readonly string[]).includes(action)) {
    problems.push({
      message: `meta: ${action} is not supported${REFUSED_META[action] ? `: ${REFUSED_META[action]}` : ''}`,
      ...where,
      hint: `supported: ${META_ACTIONS.join(', ')}`,
    });
  }
  for (const k of ['register', 'loop', 'with_items', 'with_dict', 'notify', 'changed_when', 'failed_when', 'ignore_errors']) {
    if (raw[k] !== undefined)
      problems.push({ message: `"${k}" has no meaning on a meta: task`, pos: posOf(raw, k), path: `${path}.${k}`, hint: `remove ${k}` });
  }
  const when = conditionsOf(raw, 'when', path, problems);
  if (problems.length > before) return undefined;
  const task: Task = {
    name: typeof raw.name === 'string' ? raw.name : `meta: ${action}`,
    module: 'meta',
    meta: action as MetaAction,
    args: {},
    when: when as string | string[] | undefined,
    tags: toList(raw.tags).flatMap(splitTags),
    notify: [],
    listen: [],
    pos,
  };
  for (const k of TASK_KEYWORDS) {
    const p = posOf(raw, k);
    if (p) recordPos(task, k, p);
  }
  return task;
}

/** loop / with_items / with_dict and loop_control, as written; items are rendered per host. */
function loopOf(raw: Vars): Pick<Task, 'loop'> {
  const kind = LOOP_KINDS.find((k) => raw[k] !== undefined);
  if (!kind) return {};
  const control = isMapping(raw.loop_control) ? raw.loop_control : {};
  return {
    loop: {
      kind,
      items: raw[kind],
      loopVar: typeof control.loop_var === 'string' ? control.loop_var : 'item',
      ...(typeof control.index_var === 'string' ? { indexVar: control.index_var } : {}),
      ...(typeof control.label === 'string' ? { label: control.label } : {}),
    },
  };
}

/** Ansible accepts "tags: a,b" as two tags. */
export function splitTags(t: string): string[] {
  return t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function templatedAlong(root: unknown, path: (string | number)[]): boolean {
  let cur = root;
  for (const key of path) {
    if (hasTemplate(cur)) return true;
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return hasTemplate(cur);
}
