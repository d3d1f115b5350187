// Host-independent of facts: render and validate every task's args for one host and collect
// what each module needs to read. Runs for every host of every play before any host is touched.
import type { Play, Task, Vars } from '../playbook/types.js';
import type { FactQuery } from '../facts/types.js';
import { planContext, thrownProblems, type TaskSink } from './context.js';
import { taskSelected } from './tags.js';
import { censorProblem } from '../secrets/no-log.js';
import type { PlanEnv, PreparedHost, PreparedTask } from './types.js';

export function prepareHost(play: Play, host: string, vars: Vars, env: PlanEnv, offline: boolean): PreparedHost {
  const out: PreparedHost = { host, vars, tasks: [], handlers: [], queries: [], problems: [] };
  const prep = (task: Task, index: number): PreparedTask | undefined => {
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
    try {
      args = env.renderArgs(task.args, vars, { task, host });
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
      queries = module.needs(args, planContext(host, vars, task, args, env, offline, sink));
    } catch (err) {
      sink.problems.push(...thrownProblems(err, host, task));
    }
    out.problems.push(...sink.problems);
    out.queries.push(...queries);
    return { task, index, module, args, queries };
  };
  play.tasks.forEach((t, i) => {
    if (!taskSelected(play, t, env.tags)) return;
    const p = prep(t, i);
    if (p) out.tasks.push(p);
  });
  play.handlers.forEach((t, i) => {
    const p = prep(t, i);
    if (p) out.handlers.push(p);
  });
  return out;
}
