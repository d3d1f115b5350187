// The one planning pass every driver (run, --check, verify, health, the rollout gate) uses on a
// host's gathered facts: `when`, check-mode skips, module.diff over the overlay of earlier
// changes, the handlers those changes notify, and the hooks the driver asks for (each task's
// settings for verify, each probe's results for health). Any problem, from any step or hook,
// throws one ValidationError carrying all of them, so no driver can drop one.
import type { Change, PlanContext } from '../module.js';
import type { Facts } from '../facts/types.js';
import type { Vars } from '../playbook/types.js';
import { ValidationError, type Problem } from '../errors.js';
import { OverlayFacts } from '../facts/overlay.js';
import { markRaw } from '../raw-data.js';
import { ansibleFactVars } from '../facts/system-facts.js';
import { withVars } from '../vars/merge.js';
import { protectSecretFiles } from '../secrets/file-mode.js';
import { planContext, problemAt, thrownProblems, type TaskSink } from './context.js';
import { convergedSetting, settingsFromChange } from './settings-from-changes.js';
import {
  isChange,
  type HandlerPlan,
  type HostPlan,
  type PlanEnv,
  type PlanHooks,
  type PreparedHost,
  type PreparedTask,
  type TaskPlan,
} from './types.js';

export function planHost(prep: PreparedHost, facts: Facts, env: PlanEnv, offline: boolean, hooks: PlanHooks = {}): HostPlan {
  const overlay = new OverlayFacts(facts);
  const problems: Problem[] = [];
  const plan: HostPlan = { host: prep.host, tasks: [], handlers: [], after: overlay };
  // Facts come from the switch: never evaluated as a template. Gathered only for hosts whose
  // tasks have a `when` (prepare declares them), so they are read only when one is evaluated.
  let hostFacts: unknown;
  // Ansible's facts sit below every variable, as its host facts sit below play vars.
  const ansible = prep.ansibleFacts ? ansibleFactVars(facts.system()) : undefined;
  const varsOf = (p: PreparedTask) => (ansible ? withVars(ansible, p.vars ?? prep.vars) : (p.vars ?? prep.vars));
  // Most tasks share the host's vars: their `when` context is built once, not once per task.
  const whenVars = new Map<Vars, Vars>();
  const whenVarsOf = (p: PreparedTask) => {
    const source = p.vars ?? prep.vars;
    let v = whenVars.get(source);
    if (!v) whenVars.set(source, (v = withVars(varsOf(p), { facts: (hostFacts ??= markRaw(facts.host)) })));
    return v;
  };
  const guarded = <T>(p: PreparedTask, sink: TaskSink, fallback: T, step: (ctx: PlanContext) => T): T => {
    try {
      return step(planContext(prep.host, varsOf(p), p.task, p.args, env, offline, sink));
    } catch (err) {
      sink.problems.push(...thrownProblems(err, prep.host, p.task));
      return fallback;
    }
  };
  const diffTask = (p: PreparedTask, sink: TaskSink): Change[] =>
    guarded(p, sink, [], (ctx) => {
      const changes = protectSecretFiles(p.module.diff(overlay, p.args, ctx), p.task.args, overlay);
      for (const c of changes) for (const op of c.ops) overlay.apply(op);
      return changes;
    });

  for (const p of prep.tasks) {
    const each = { ...(p.item !== undefined ? { item: p.item } : {}), ...(p.ignoreErrors ? { ignoreErrors: true } : {}) };
    const skip = skipReason(p, () => whenVarsOf(p), env, prep.host, problems);
    if (skip) {
      plan.tasks.push({ task: p.task, index: p.index, status: 'skipped', changes: [], warnings: [], msg: skip, ...each });
      continue;
    }
    const sink: TaskSink = { warnings: [], problems: [] };
    const changes = diffTask(p, sink).map((c) =>
      isChange(c) && p.task.notify.length ? { ...c, notify: [...(c.notify ?? []), ...p.task.notify] } : c,
    );
    const t: TaskPlan = {
      task: p.task,
      index: p.index,
      status: changes.some(isChange) ? 'changed' : 'ok',
      changes,
      warnings: sink.warnings,
      ...each,
    };
    // Hooks read the host as gathered, not the overlay: they report what runs now.
    if (hooks.inspect) {
      const inspect = p.module.inspect;
      t.settings = inspect
        ? guarded(p, sink, [], (ctx) => inspect(facts, p.args, ctx))
        : changes.some(isChange)
          ? changes.filter(isChange).flatMap(settingsFromChange)
          : [convergedSetting(p.task.module, p.args)];
    }
    const probe = p.module.probe;
    if (hooks.probe && probe) t.probes = guarded(p, sink, [], (ctx) => probe(facts, p.args, ctx));
    if (sink.notes?.length) t.msg = sink.notes.join('\n');
    problems.push(...sink.problems);
    plan.tasks.push(t);
  }

  problems.push(
    ...unconverging(prep, plan, (p) => guarded(p, { warnings: [], problems: [] }, [], (ctx) => p.module.diff(overlay, p.args, ctx))),
  );
  plan.handlers = planHandlers(prep, plan, env, problems, diffTask, (p) => skipReason(p, () => whenVarsOf(p), env, prep.host, problems));
  if (problems.length) throw new ValidationError(problems);
  return plan;
}

/**
 * Tasks whose file a later task writes again, and that would then want to write it back: every
 * run would change the file twice and never converge (two tasks rendering one boot script with
 * different rules, a copy whose file a lineinfile edits). Each earlier writer is planned again on
 * the final overlay; one that still writes the path is a problem naming both tasks.
 */
function unconverging(prep: PreparedHost, plan: HostPlan, replan: (p: PreparedTask) => Change[]): Problem[] {
  const writers = new Map<string, number[]>();
  plan.tasks.forEach((t, i) => {
    for (const c of t.changes.filter(isChange)) for (const path of writtenPaths(c)) writers.set(path, [...(writers.get(path) ?? []), i]);
  });
  const problems: Problem[] = [];
  const reported = new Set<number>();
  for (const [path, tasks] of writers) {
    const last = tasks[tasks.length - 1];
    for (const i of tasks.slice(0, -1)) {
      if (reported.has(i) || plan.tasks[i].task === plan.tasks[last].task) continue;
      // plan.tasks[i] is the plan of prep.tasks[i].
      if (!replan(prep.tasks[i]).some((c) => isChange(c) && writtenPaths(c).includes(path))) continue;
      reported.add(i);
      const later = plan.tasks[last].task;
      const where = later.pos ? ` (${later.pos.file}:${later.pos.line})` : '';
      problems.push({
        ...problemAt(
          prep.host,
          plan.tasks[i].task,
          {},
          `writes ${path}, which task "${later.name}"${where} writes again with other content, so every run changes it and the host never converges`,
        ),
        hint: 'let one task write this file (one task can carry the settings of both), or make the later one leave what the earlier one writes',
      });
    }
  }
  return problems;
}

function writtenPaths(c: Change): string[] {
  return c.ops.flatMap((op) => (op.kind === 'put' || op.kind === 'symlink' || op.kind === 'upload' ? [op.path] : []));
}

function skipReason(
  p: PreparedTask,
  vars: () => Record<string, unknown>,
  env: PlanEnv,
  host: string,
  problems: Problem[],
): string | undefined {
  const whens = p.task.when === undefined ? [] : Array.isArray(p.task.when) ? p.task.when : [p.task.when];
  for (const expr of whens) {
    try {
      if (!env.evalWhen(expr, vars(), p.task.pos)) return `when: ${expr} is false`;
    } catch (err) {
      problems.push(...thrownProblems(err, host, p.task));
      return `when: ${expr} could not be evaluated`;
    }
  }
  if (env.check && p.module.skipInCheck) return 'skipped in check mode';
  return undefined;
}

/** Module handlers first (in their declared order), then play handlers in the order they are defined. */
function planHandlers(
  prep: PreparedHost,
  plan: HostPlan,
  env: PlanEnv,
  problems: Problem[],
  diffTask: (p: PreparedTask, sink: TaskSink) => Change[],
  skip: (p: PreparedTask) => string | undefined,
): HandlerPlan[] {
  const notified = new Set<string>();
  // A change that reports ok (changed: false) notifies nothing, as the apply script does.
  for (const t of plan.tasks) for (const c of t.changes.filter(isChange)) for (const k of c.notify ?? []) notified.add(k);
  if (notified.size === 0) return [];

  const moduleHandlers = env.registry.handlers();
  const out: HandlerPlan[] = [];
  const claimed = new Set<string>();
  // A play handler of the same name (Ansible's habitual "systemd daemon-reload") takes the key.
  const playKeys = new Set(prep.handlers.flatMap((p) => [p.task.name, ...p.task.listen]));
  for (const [key, h] of moduleHandlers) {
    if (!notified.has(key) || playKeys.has(key)) continue;
    claimed.add(key);
    out.push({ name: key, source: 'module', keys: [key], changes: [{ summary: h.summary, ops: h.ops }] });
  }
  for (const p of prep.handlers) {
    const keys = [p.task.name, ...p.task.listen].filter((k) => notified.has(k));
    if (!keys.length) continue;
    keys.forEach((k) => claimed.add(k));
    // A handler whose `when` is false is notified but does not run, as in Ansible.
    if (skip(p)) continue;
    const sink: TaskSink = { warnings: [], problems: [] };
    const changes = diffTask(p, sink);
    problems.push(...sink.problems);
    out.push({ name: p.task.name, source: 'play', keys, changes, ...(p.task.noLog ? { noLog: true } : {}) });
  }
  for (const t of plan.tasks) {
    for (const key of new Set(t.changes.filter(isChange).flatMap((c) => c.notify ?? []))) {
      if (claimed.has(key)) continue;
      problems.push({
        ...problemAt(prep.host, t.task, {}, `notifies "${key}", but no handler has that name`),
        hint: `add a handler named "${key}" (or listening to it) to the play`,
      });
      claimed.add(key);
    }
  }
  return out;
}
