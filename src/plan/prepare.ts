// Host-independent of facts: render and validate every task's args for one host and collect
// what each module needs to read. Runs for every host of every play before any host is touched.
// A looped task becomes one prepared task per item; a task whose module sets variables
// (set_fact) gives them to the host's later tasks.
import type { Play, Task, Vars } from '../playbook/types.js';
import type { FactQuery } from '../facts/types.js';
import type { Problem } from '../errors.js';
import { posOf, recordPos } from '../source-map.js';
import { markUnsafe } from '../raw-data.js';
import { pyStr, truthy } from '../render/expr-values.js';
import { withVars } from '../vars/merge.js';
import { planContext, thrownProblems, type TaskSink } from './context.js';
import { taskSelected } from './tags.js';
import { argsFactSections, playFactSections } from './fact-references.js';
import { FactStandIns } from './fact-stand-ins.js';
import { censorProblem } from '../secrets/no-log.js';
import type { PlanEnv, PreparedHost, PreparedTask } from './types.js';
import type { Module } from '../module.js';
import { ArgsMemo } from './args-memo.js';
import { perPlanEnv } from './env-state.js';
import { renderArgs } from '../render/args.js';

/** Bounded, so that a loop expression cannot make the plan arbitrarily large. */
const MAX_LOOP_ITEMS = 10_000;

export function prepareHost(play: Play, host: string, vars: Vars, env: PlanEnv, offline: boolean, roleVars: Vars[] = []): PreparedHost {
  const out: PreparedHost = { host, vars, tasks: [], handlers: [], queries: [], problems: [] };
  // A play that reads Ansible's facts asks the gather for the sections it reads; its args render on
  // stand-ins until then.
  const sections = playFactSections(play, vars);
  const standIns = sections ? new FactStandIns() : undefined;
  if (sections) {
    out.ansibleFacts = true;
    out.queries.push({ kind: 'system', sections });
  }
  let current = vars;
  /** What set_fact tasks set so far, for the tasks of roles, which start from their role's variables. */
  let setFacts: Vars = {};
  const setVars = (set: Vars) => {
    setFacts = withVars(setFacts, set);
    current = withVars(current, set);
  };
  const varsOf = (task: Task): Vars => {
    const role = task.role === undefined ? undefined : roleVars[task.role];
    if (!role) return current;
    return Object.keys(setFacts).length ? withVars(role, setFacts) : role;
  };
  /** Variables only known at plan time (registered results, set_fact of them): a task that uses
   *  one is rendered now with a stand-in, for what it reads, and again when planned. */
  const deferredNames = new Set<string>();
  /** Of those, the ones that had no value before: the plan drops them unless it sets them. */
  const placeholders = new Set<string>();
  const usesDeferred = (...values: unknown[]): boolean => usesAny(values, deferredNames);
  const located = (task: Task, message: string, key: string, hint?: string): Problem => ({
    message,
    pos: posOf(task, key) ?? task.pos,
    host,
    task: task.name,
    hint,
  });

  /** A task keyword's value rendered for this host; positions point at the keyword. */
  const keyword = (task: Task, key: string, value: unknown, v: Vars): unknown => {
    const holder: Vars = { [key]: value };
    const p = posOf(task, key);
    if (p) recordPos(holder, key, p);
    return env.renderArgs(holder, v, { task: { ...task, module: key, args: holder }, host })[key];
  };

  const items = (task: Task): { value: unknown; label: string }[] | undefined => {
    const loop = task.loop!;
    const key = loop.kind;
    const v = varsOf(task);
    // Remembered as args are: hosts that read the same values share one frozen list, so their
    // items, and the args rendered from them, are the same objects (args-memo.ts keys by identity).
    let list = memoised(env)
      ? loopMemoOf(env).args(
          task,
          v,
          () => ({ list: keyword(task, key, loop.items, v) }),
          () => true,
        ).list
      : keyword(task, key, loop.items, v);
    if (key === 'with_dict') {
      if (list === null || typeof list !== 'object' || Array.isArray(list)) {
        out.problems.push(located(task, `with_dict needs a mapping, got ${Array.isArray(list) ? 'a list' : JSON.stringify(list)}`, key));
        return undefined;
      }
      list = Object.entries(list).map(([k, value]) => ({ key: k, value }));
    } else if (!Array.isArray(list)) {
      out.problems.push(
        located(
          task,
          `${key} needs a list, got ${JSON.stringify(list)}`,
          key,
          key === 'loop' ? 'use "{{ mapping | dict2items }}" to loop over a mapping' : undefined,
        ),
      );
      return undefined;
    } else if (key === 'with_items') list = list.flat(1);
    const arr = list as unknown[];
    if (arr.length > MAX_LOOP_ITEMS) {
      out.problems.push(located(task, `${key} has ${arr.length} items, over the limit of ${MAX_LOOP_ITEMS}`, key));
      return undefined;
    }
    return arr.map((value) => ({ value, label: pyStr(value) }));
  };

  const prepOne = (task: Task, index: number, v: Vars, item?: string): PreparedTask | undefined => {
    let deferred: PreparedTask['deferred'] = usesDeferred(task.args, task.when, task.changedWhen, task.failedWhen, task.ignoreErrors)
      ? 'registered'
      : undefined;
    const each = () => ({
      ...(v !== vars ? { vars: v } : {}),
      ...(item !== undefined ? { item } : {}),
      ...(deferred ? { deferred } : {}),
    });
    // A `when`, `changed_when` or `failed_when` sees the host section as `facts`.
    const conditions = [...(task.changedWhen ?? []), ...(task.failedWhen ?? [])].some((c) => typeof c === 'string');
    if (task.when !== undefined || conditions) out.queries.push({ kind: 'host' });
    if (task.meta) return { task, index, module: META_MODULE, args: {}, queries: [], ...each() };
    out.problems.push(...becomeProblems(task, v, host));
    const module = env.registry.get(task.module);
    if (!module) {
      out.problems.push({
        message: `unknown module "${task.module}"`,
        pos: task.pos,
        host,
        task: task.name,
        hint: 'check the spelling; modules live under modules/<name>/',
      });
      return undefined;
    }
    // Rendered and validated once per distinct set of values read. Not for deferred tasks, nor for
    // modules whose args become variables (the shared args are frozen). Under fact stand-ins, a
    // render that reads a fact finds it beneath the host's variables, which no key can say
    // (name-reads.ts), so only renders that read no fact are remembered: a host whose reads match
    // one reads no fact either.
    const remembered = !deferred && !module.setsVars && !module.commandResult && memoised(env);
    let invalidArgs: Problem[] = [];
    const renderOwn = (rv: Vars) => env.renderArgs(task.args, rv, { task, host });
    const render = (rv: Vars) => ({
      args: remembered
        ? argsMemoOf(env).args(
            task,
            rv,
            () => renderOwn(rv),
            (a) => !(invalidArgs = env.registry.validateArgs(task.module, a, task.args)).length,
          )
        : renderOwn(rv),
      ignoreErrors: task.ignoreErrors !== undefined && truthy(keyword(task, 'ignore_errors', task.ignoreErrors, rv)),
    });
    const r = standIns ? standIns.render(v, render) : attempt(() => render(v));
    if (r.readsFacts) deferred ??= 'facts';
    if (!r.value) {
      // The stand-in of a registered result may not render (stdout_lines[0]); the plan renders it for real.
      if (deferred) return { task, index, module, args: {}, queries: [], ...each() };
      out.problems.push(...thrownProblems(r.error, host, task));
      return undefined;
    }
    const { args, ignoreErrors } = r.value;
    // A set_fact whose `when` reads a fact sets its variables once the facts are known.
    if (module.setsVars && !deferred && standIns && task.when !== undefined)
      if (standIns.render(v, (rv) => [task.when!].flat().every((c) => env.evalWhen(c, rv, task.pos))).readsFacts) deferred = 'facts';
    // A remembered task was validated as it rendered (a remembered result is a valid one).
    const invalid = deferred ? [] : remembered ? invalidArgs : env.registry.validateArgs(task.module, args, task.args);
    if (invalid.length) {
      out.problems.push(...invalid.map((p) => censorProblem({ ...p, host: p.host ?? host, task: p.task ?? task.name }, task.noLog)));
      return undefined;
    }
    const sink: TaskSink = { warnings: [], problems: [] };
    let queries: FactQuery[] = [];
    try {
      queries = module.needs(args, planContext(host, v, task, args, env, offline, sink));
    } catch (err) {
      sink.problems.push(...thrownProblems(err, host, task));
      out.incomplete = true;
    }
    if (!deferred) out.problems.push(...sink.problems);
    out.queries.push(...queries);
    const readQuery = readOnlyQuery(task, module, args, v, env);
    if (readQuery) out.queries.push(readQuery);
    if (module.setsVars && deferred) {
      // Its values are known when it is planned; later tasks that use them are planned with them.
      // The names come from the args as written: the stand-in may not have rendered.
      const names = Object.keys(module.setsVars(task.args));
      for (const k of names) deferredNames.add(k);
      // A variable that had a value keeps it until the plan sets it: the task may be skipped.
      const fresh = names.filter((k) => placeholders.has(k) || !Object.hasOwn(current, k));
      for (const k of fresh) placeholders.add(k);
      const standIn = module.setsVars(args);
      setVars(Object.fromEntries(fresh.map((k) => [k, Object.hasOwn(standIn, k) ? standIn[k] : ''])));
    } else if (module.setsVars && (task.when === undefined || [task.when].flat().every((c) => env.evalWhen(c, v, task.pos)))) {
      // Variables are set now, for every later task's args; so its `when` can only use variables.
      setVars(module.setsVars(args));
    }
    return {
      task,
      index,
      module,
      args,
      queries,
      ...each(),
      ...(ignoreErrors ? { ignoreErrors } : {}),
      ...(readQuery ? { readQuery } : {}),
    };
  };
  /** After a task that registers: later tasks see a stand-in now and the real result when planned. */
  const registered = (task: Task) => {
    if (!task.register) return;
    deferredNames.add(task.register);
    placeholders.add(task.register);
    setVars({ [task.register]: REGISTERED_STAND_IN });
  };

  const prep = (task: Task, index: number): PreparedTask[] => {
    if (!task.loop) {
      const p = prepOne(task, index, varsOf(task));
      if (!p) out.incomplete = true;
      registered(task);
      return p ? [p] : [];
    }
    if (usesDeferred(task.loop.items)) {
      out.problems.push(
        located(
          task,
          `${task.loop.kind} over a registered result is not supported: a task's items are fixed before the host is read`,
          task.loop.kind,
          "loop over variables or facts, or give the command's work to one task (e.g. a shell loop)",
        ),
      );
      out.incomplete = true;
      registered(task);
      return [];
    }
    let list: { value: unknown; label: string }[] | undefined;
    try {
      list = items(task);
    } catch (err) {
      out.problems.push(...thrownProblems(err, host, task));
    }
    if (!list) out.incomplete = true;
    const { loopVar, indexVar, label } = task.loop;
    const prepared = (list ?? []).flatMap(({ value, label: shown }, i) => {
      const bound: Vars = { [loopVar]: value, ansible_loop_var: loopVar, ...(indexVar ? { [indexVar]: i } : {}) };
      const v = withVars(varsOf(task), bound);
      // The item is already rendered: never templated again.
      markUnsafe(v, loopVar);
      let name = shown;
      if (label !== undefined) {
        try {
          name = String(keyword(task, 'loop_control', label, v));
        } catch (err) {
          out.problems.push(...thrownProblems(err, host, task));
        }
      }
      const p = prepOne(task, index, v, name);
      if (!p) out.incomplete = true;
      return p ? [p] : [];
    });
    registered(task);
    return prepared;
  };
  play.tasks.forEach((t, i) => {
    if (!taskSelected(play, t, env.tags)) return;
    out.tasks.push(...prep(t, i));
  });
  play.handlers.forEach((t, i) => {
    out.handlers.push(...prep(t, i));
  });
  if (placeholders.size) out.placeholders = [...placeholders];
  // A module may evaluate a rendered arg as an expression (`debug: var`): a name made while
  // rendering is read too.
  if (standIns)
    for (const p of [...out.tasks, ...out.handlers]) {
      const more = argsFactSections(p.args);
      if (more) out.queries.push({ kind: 'system', sections: more });
    }
  return out;
}

/** Only the engine's own renderer notes every variable it reads, which the memo's keys rely on. */
function memoised(env: PlanEnv): boolean {
  return env.renderArgs === renderArgs;
}

const argsMemoOf = perPlanEnv(() => new ArgsMemo());
const loopMemoOf = perPlanEnv(() => new ArgsMemo());

/** A meta: task runs no module; the planner acts on it. */
const META_MODULE: Module = { name: 'meta', schema: {}, needs: () => [], diff: () => [] };

/** What later tasks see of a registered result before it is known, so their args render. */
const REGISTERED_STAND_IN = Object.freeze({
  changed: false,
  failed: false,
  skipped: false,
  rc: 0,
  stdout: '',
  stderr: '',
  stdout_lines: [],
  stderr_lines: [],
  results: [],
  msg: '',
});

function attempt<T>(render: () => T): { value?: T; error?: unknown; readsFacts: boolean } {
  try {
    return { value: render(), readsFacts: false };
  } catch (error) {
    return { error, readsFacts: false };
  }
}

/** Whether any template text in the values names one of the variables. */
function usesAny(values: unknown[], names: Set<string>): boolean {
  if (!names.size) return false;
  const text = JSON.stringify(values) ?? '';
  return [...names].some((n) => new RegExp(`(^|[^\\w.])${n}($|[^\\w])`).test(text));
}

/**
 * A registered command marked read-only (`changed_when: false`) runs while the host is read, so
 * its result is known to the plan; under --check only with `check_mode: false`, as Ansible runs
 * it. Only when its `when` already holds on variables: it must not run when it would be skipped.
 */
function readOnlyQuery(task: Task, module: Module, args: Vars, v: Vars, env: PlanEnv): FactQuery | undefined {
  if (!task.register || !module.commandResult || task.checkMode === true) return undefined;
  if (!task.changedWhen || task.changedWhen.length !== 1 || !isFalse(task.changedWhen[0])) return undefined;
  if (env.check && task.checkMode !== false) return undefined;
  try {
    if (task.when !== undefined && ![task.when].flat().every((c) => env.evalWhen(c, v, task.pos))) return undefined;
  } catch {
    return undefined;
  }
  return module.commandResult.query(args);
}

export function isFalse(c: string | boolean): boolean {
  return c === false || (typeof c === 'string' && /^\s*(false|False|no)\s*$/.test(c));
}

/** Every task of a host runs in one script with one privilege: a task may repeat the play's become, not change it. */
function becomeProblems(task: Task, v: Vars, host: string): Problem[] {
  const become = truthy(v.ansible_become ?? false);
  const user = typeof v.ansible_become_user === 'string' ? v.ansible_become_user : 'root';
  const differs = (key: string, value: unknown, play: unknown): Problem => ({
    message: `${key}: ${String(value)} differs from the play's (${String(play)}) for this host`,
    pos: posOf(task, key) ?? task.pos,
    host,
    task: task.name,
    hint: 'set become/become_user on the play (or as ansible_become/ansible_become_user on the host): a host runs all its tasks in one script, with one privilege',
  });
  if (task.become !== undefined && task.become !== become) return [differs('become', task.become, become)];
  if (task.becomeUser !== undefined && (task.become ?? become) && task.becomeUser !== user)
    return [differs('become_user', task.becomeUser, user)];
  return [];
}
