// Plans one host against its gathered facts: `when`, check-mode skips, module.diff over the
// overlay of earlier changes, then the handlers those changes notify.
import type { Change } from '../module.js';
import type { Facts } from '../facts/types.js';
import type { Problem } from '../errors.js';
import { OverlayFacts } from '../facts/overlay.js';
import { planContext, problemAt, thrownProblems, type TaskSink } from './context.js';
import { isChange, type HandlerPlan, type HostPlan, type PlanEnv, type PreparedHost, type PreparedTask, type TaskPlan } from './types.js';

export function planHost(prep: PreparedHost, facts: Facts, env: PlanEnv, offline: boolean): HostPlan {
  const overlay = new OverlayFacts(facts);
  const plan: HostPlan = { host: prep.host, tasks: [], handlers: [], problems: [], after: overlay };
  const whenVars = { ...prep.vars, facts: facts.host };

  const diffTask = (p: PreparedTask, sink: TaskSink): Change[] => {
    try {
      const changes = p.module.diff(overlay, p.args, planContext(prep.host, prep.vars, p.task, p.args, env, offline, sink));
      for (const c of changes) for (const op of c.ops) overlay.apply(op);
      return changes;
    } catch (err) {
      sink.problems.push(...thrownProblems(err, prep.host, p.task));
      return [];
    }
  };

  for (const p of prep.tasks) {
    const skip = skipReason(p, whenVars, env, prep.host, plan.problems);
    if (skip) {
      plan.tasks.push({ task: p.task, index: p.index, status: 'skipped', changes: [], warnings: [], msg: skip });
      continue;
    }
    const sink: TaskSink = { warnings: [], problems: [] };
    const changes = diffTask(p, sink).map((c) =>
      isChange(c) && p.task.notify.length ? { ...c, notify: [...(c.notify ?? []), ...p.task.notify] } : c,
    );
    plan.problems.push(...sink.problems);
    const status: TaskPlan['status'] = changes.some(isChange) ? 'changed' : 'ok';
    plan.tasks.push({ task: p.task, index: p.index, status, changes, warnings: sink.warnings });
  }

  plan.handlers = planHandlers(prep, plan, env, diffTask);
  return plan;
}

function skipReason(p: PreparedTask, vars: Record<string, unknown>, env: PlanEnv, host: string, problems: Problem[]): string | undefined {
  const whens = p.task.when === undefined ? [] : Array.isArray(p.task.when) ? p.task.when : [p.task.when];
  for (const expr of whens) {
    try {
      if (!env.evalWhen(expr, vars, p.task.pos)) return `when: ${expr} is false`;
    } catch (err) {
      problems.push(...thrownProblems(err, host, p.task));
      return `when: ${expr} could not be evaluated`;
    }
  }
  if (env.check && p.module.skipInCheck) return 'skipped in check mode';
  return undefined;
}

/** Module handlers first (registry order), then play handlers in the order they are defined. */
function planHandlers(
  prep: PreparedHost,
  plan: HostPlan,
  env: PlanEnv,
  diffTask: (p: PreparedTask, sink: TaskSink) => Change[],
): HandlerPlan[] {
  const notified = new Set<string>();
  // A change that reports ok (changed: false) notifies nothing, as the apply script does.
  for (const t of plan.tasks) for (const c of t.changes.filter(isChange)) for (const k of c.notify ?? []) notified.add(k);
  if (notified.size === 0) return [];

  const moduleHandlers = env.registry.handlers();
  const out: HandlerPlan[] = [];
  const claimed = new Set<string>();
  for (const [key, h] of moduleHandlers) {
    if (!notified.has(key)) continue;
    claimed.add(key);
    out.push({ name: key, source: 'module', keys: [key], changes: [{ summary: h.summary, ops: h.ops }] });
  }
  for (const p of prep.handlers) {
    const keys = [p.task.name, ...p.task.listen].filter((k) => notified.has(k));
    if (!keys.length) continue;
    keys.forEach((k) => claimed.add(k));
    const sink: TaskSink = { warnings: [], problems: [] };
    const changes = diffTask(p, sink);
    plan.problems.push(...sink.problems);
    out.push({ name: p.task.name, source: 'play', keys, changes });
  }
  for (const t of plan.tasks) {
    for (const key of new Set(t.changes.filter(isChange).flatMap((c) => c.notify ?? []))) {
      if (claimed.has(key)) continue;
      plan.problems.push({
        ...problemAt(prep.host, t.task, {}, `notifies "${key}", but no handler has that name`),
        hint: `add a handler named "${key}" (or listening to it) to the play`,
      });
      claimed.add(key);
    }
  }
  return out;
}
