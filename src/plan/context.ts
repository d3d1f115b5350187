// The PlanContext a module sees for one host and task; its errors become located Problems.
import { oneLine } from '../one-line.js';
import type { PlanContext } from '../module.js';
import { ValidationError, messageOf, type Problem } from '../errors.js';
import type { Task, Vars } from '../playbook/types.js';
import { posAtPath } from '../source-map.js';
import type { PlanEnv } from './types.js';
import { layeredView } from '../render/layered-view.js';
import { markUnsafe, viewUnsafeKeys } from '../raw-data.js';
import { censorProblem } from '../secrets/no-log.js';
import { runReadsOf } from './run-reads.js';

export interface TaskSink {
  warnings: string[];
  problems: Problem[];
  notes?: string[];
}

export function problemAt(host: string, task: Task, args: Vars, message: string, argPath?: (string | number)[], hint?: string): Problem {
  const pos = argPath ? (posAtPath(args, argPath) ?? posAtPath(task.args, argPath) ?? task.pos) : task.pos;
  const path = argPath?.length ? `${task.module}.${argPath.join('.')}` : undefined;
  return censorProblem({ message, pos, path, host, task: task.name, hint }, task.noLog);
}

export function planContext(host: string, vars: Vars, task: Task, args: Vars, env: PlanEnv, offline: boolean, sink: TaskSink): PlanContext {
  return {
    taskName: oneLine(task.name),
    vars,
    check: env.check,
    offline,
    render: (template, extra) => env.renderTemplate(template, extra ? withRendered(vars, extra) : vars),
    warn: (message) => void sink.warnings.push(message),
    note: (message) => void (sink.notes ??= []).push(message),
    test: (expr) => env.evalWhen(expr, vars, task.pos),
    value: (expr) => env.renderArgs({ value: `{{ ${expr} }}` }, vars, { task, host }).value,
    error: (message, argPath, hint) => void sink.problems.push(problemAt(host, task, args, message, argPath, hint)),
    readOnce: (key, read) => runReadsOf(env).once(key, read),
  };
}

/** `vars` with data that is never templated (again) on top, as a view: a module's data, rendered
 *  with the task's args (a literal "{{" from an `!unsafe` value stays literal), or the host's facts. */
export function withRendered(vars: Vars, extra: Vars): Vars {
  const out = layeredView(vars, extra);
  viewUnsafeKeys(vars, out);
  for (const k of Object.keys(extra)) markUnsafe(out, k);
  return out;
}

/** Problems from anything a module or renderer throws, located at the task. */
export function thrownProblems(err: unknown, host: string, task: Task): Problem[] {
  const withWhere = (p: Problem): Problem =>
    censorProblem({ ...p, host: p.host ?? host, task: p.task ?? task.name, pos: p.pos ?? task.pos }, task.noLog);
  if (err instanceof ValidationError) return err.problems.map(withWhere);
  return [withWhere({ message: messageOf(err) })];
}
