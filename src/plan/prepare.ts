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
import { playReadsFacts } from './fact-references.js';
import { censorProblem } from '../secrets/no-log.js';
import type { PlanEnv, PreparedHost, PreparedTask } from './types.js';

/** Bounded, so that a loop expression cannot make the plan arbitrarily large. */
const MAX_LOOP_ITEMS = 10_000;

export function prepareHost(play: Play, host: string, vars: Vars, env: PlanEnv, offline: boolean, roleVars: Vars[] = []): PreparedHost {
  const out: PreparedHost = { host, vars, tasks: [], handlers: [], queries: [], problems: [] };
  let current = vars;
  /** What set_fact tasks set so far, for the tasks of roles, which start from their role's variables. */
  let setFacts: Vars = {};
  const varsOf = (task: Task): Vars => {
    const role = task.role === undefined ? undefined : roleVars[task.role];
    if (!role) return current;
    return Object.keys(setFacts).length ? withVars(role, setFacts) : role;
  };
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
    let list = keyword(task, key, loop.items, varsOf(task));
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
    let args: Vars;
    let ignoreErrors = false;
    try {
      args = env.renderArgs(task.args, v, { task, host });
      if (task.ignoreErrors !== undefined) ignoreErrors = truthy(keyword(task, 'ignore_errors', task.ignoreErrors, v));
    } catch (err) {
      out.problems.push(...thrownProblems(err, host, task));
      return undefined;
    }
    const invalid = env.registry.validateArgs(task.module, args, task.args);
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
    // A `when` sees the host section as `facts`.
    if (task.when !== undefined) queries.push({ kind: 'host' });
    out.problems.push(...sink.problems);
    out.queries.push(...queries);
    // Variables are set now, for every later task's args; so its `when` can only use variables.
    if (module.setsVars && (task.when === undefined || [task.when].flat().every((c) => env.evalWhen(c, v, task.pos)))) {
      const set = module.setsVars(args);
      setFacts = withVars(setFacts, set);
      current = withVars(current, set);
    }
    return {
      task,
      index,
      module,
      args,
      queries,
      ...(v !== vars ? { vars: v } : {}),
      ...(item !== undefined ? { item } : {}),
      ...(ignoreErrors ? { ignoreErrors } : {}),
    };
  };

  const prep = (task: Task, index: number): PreparedTask[] => {
    if (!task.loop) {
      const p = prepOne(task, index, varsOf(task));
      if (!p) out.incomplete = true;
      return p ? [p] : [];
    }
    let list: { value: unknown; label: string }[] | undefined;
    try {
      list = items(task);
    } catch (err) {
      out.problems.push(...thrownProblems(err, host, task));
    }
    if (!list) out.incomplete = true;
    const { loopVar, indexVar, label } = task.loop;
    return (list ?? []).flatMap(({ value, label: shown }, i) => {
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
  };
  if (playReadsFacts(play, vars)) {
    out.ansibleFacts = true;
    out.queries.push({ kind: 'system' });
  }
  play.tasks.forEach((t, i) => {
    if (!taskSelected(play, t, env.tags)) return;
    out.tasks.push(...prep(t, i));
  });
  play.handlers.forEach((t, i) => {
    out.handlers.push(...prep(t, i));
  });
  return out;
}
