// The one planning pass every driver (run, --check, verify, health, the rollout gate) uses on a
// host's gathered facts: `when`, check-mode skips, module.diff over the overlay of earlier
// changes, the handlers those changes notify, and the hooks the driver asks for (each task's
// settings for verify, each probe's results for health). Any problem, from any step or hook,
// throws one ValidationError carrying all of them, so no driver can drop one.
import type { Change, Op, PlanContext } from '../module.js';
import type { Facts } from '../facts/types.js';
import type { Vars } from '../playbook/types.js';
import { ValidationError, type Problem } from '../errors.js';
import { OverlayFacts } from '../facts/overlay.js';
import { markRaw } from '../raw-data.js';
import { ansibleFactVars } from '../facts/system-facts.js';
import { withVars } from '../vars/merge.js';
import { BlockFlow, type FlowMode } from './block-flow.js';
import { RegisteredResults } from './registered.js';
import { protectSecretFiles } from '../secrets/file-mode.js';
import { withFolderLeads } from './folder-leads.js';
import { memoisedDiff } from './diff-memo.js';
import { planContext, problemAt, thrownProblems, withRendered, type TaskSink } from './context.js';
import { convergedSetting, settingsFromChange } from './settings-from-changes.js';
import {
  applied,
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
  // Tasks mostly share the host's vars: the copy with Ansible's facts below them is made once per
  // vars, not at every call (a task's plan asks several times).
  const withFacts = new Map<Vars, Vars>();
  const baseVarsOf = (p: PreparedTask) => {
    const source = p.vars ?? prep.vars;
    if (!ansible) return source;
    let v = withFacts.get(source);
    if (!v) withFacts.set(source, (v = withVars(ansible, source)));
    return v;
  };
  /** Registered results and the set_fact values made of them, for the deferred tasks. */
  let planned: Vars = {};
  const varsOf = (p: PreparedTask) =>
    p.deferred ? withVars(withoutPlaceholders(baseVarsOf(p), prep.placeholders), planned) : baseVarsOf(p);
  // Most tasks share the host's vars: their `when` context is built once, not once per task
  // (a deferred task's vars grow as the plan goes, so its context is built each time).
  const whenVars = new Map<Vars, Vars>();
  // A view, not a copy: a condition reads a few names of many.
  const whenVarsOf = (p: PreparedTask) => {
    if (p.deferred) return withRendered(varsOf(p), { facts: (hostFacts ??= markRaw(facts.host)) });
    const source = p.vars ?? prep.vars;
    let v = whenVars.get(source);
    if (!v) whenVars.set(source, (v = withRendered(varsOf(p), { facts: (hostFacts ??= markRaw(facts.host)) })));
    return v;
  };
  const attempt = <T>(p: PreparedTask, sink: TaskSink, fallback: T, step: () => T): T => {
    try {
      return step();
    } catch (err) {
      sink.problems.push(...thrownProblems(err, prep.host, p.task).map((q) => (p.deferred ? readsMoved(q, p.deferred) : q)));
      return fallback;
    }
  };
  const guarded = <T>(p: PreparedTask, sink: TaskSink, fallback: T, step: (ctx: PlanContext) => T): T =>
    attempt(p, sink, fallback, () => step(planContext(prep.host, varsOf(p), p.task, p.args, env, offline, sink)));
  const diffOn =
    (target: OverlayFacts) =>
    (p: PreparedTask, sink: TaskSink): Change[] =>
      attempt(p, sink, [], () => {
        const context = (vars: Vars) => planContext(prep.host, vars, p.task, p.args, env, offline, sink);
        const diff = memoisedDiff(env, p, offline, target, varsOf(p), context);
        const changes = protectSecretFiles(diff, p.task.args, target);
        // In order: where a folder leads is read before an earlier op of the change reshapes it.
        return changes.map((c) => ({
          ...c,
          ops: c.ops.map((op) => {
            const led = withFolderLeads(op, target);
            target.apply(led);
            return led;
          }),
        }));
      });
  const diffTask = diffOn(overlay);
  const flow = new BlockFlow(true);
  const results = new RegisteredResults();
  /** The prepared task (rendered, for a deferred one) each entry of plan.tasks plans. */
  const sources: PreparedTask[] = [];
  const push = (p: PreparedTask, t: TaskPlan) => {
    plan.tasks.push(t);
    sources.push(p);
  };
  // A handler whose `when` is false is notified but does not run.
  const handlerSkip = (p: PreparedTask) => skipReason(p, () => whenVarsOf(p), env, prep.host, problems);
  /** A handler as it runs: one that reads a registered result or a fact rendered on it now. */
  const handlerReady = (p: PreparedTask) => (p.deferred ? rendered(p, varsOf(p), env, prep.host, problems) : p);
  /** Index in plan.tasks where the handlers planned next start counting notifications. */
  let since = 0;

  for (const p0 of prep.tasks) {
    flow.enter(p0.task);
    const mode = flow.mode(p0.task);
    if (mode === 'skip') continue;
    const p = p0.deferred ? rendered(p0, varsOf(p0), env, prep.host, problems) : p0;
    if (!p) continue;
    const each = { ...(p.item !== undefined ? { item: p.item } : {}), ...(p.ignoreErrors ? { ignoreErrors: true } : {}) };
    const skip = skipReason(p, () => whenVarsOf(p), env, prep.host, problems);
    if (p.task.meta) {
      if (skip) continue;
      if (p.task.meta === 'end_host') break;
      if (p.task.meta === 'flush_handlers' && mode === 'run') {
        const flush = planHandlers(prep, plan.tasks.slice(since), env, problems, diffTask, handlerSkip, handlerReady);
        push(p, { task: p.task, index: p.index, status: 'ok', changes: [], warnings: [], flush });
        since = plan.tasks.length;
      }
      continue;
    }
    if (skip) {
      push(p, { task: p.task, index: p.index, status: 'skipped', changes: [], warnings: [], msg: skip, ...each, ...standby(mode) });
      const skippedInCheck = skip === CHECK_SKIP && p.module.commandResult ? p.module.commandResult.result(p.args) : undefined;
      results.add(p, skippedInCheck ?? { changed: false, skipped: true, skip_reason: 'Conditional result was False' });
      planned = results.into(planned, p);
      continue;
    }
    const sink: TaskSink = { warnings: [], problems: [] };
    // A rescue planned on standby and a check_mode task leave the overlay as it is: what they would change is shown only.
    const apart = mode === 'standby' || (p.task.checkMode === true && !env.check);
    // A read-only command already ran while the host was read: nothing of it runs again.
    const changes = (p.readQuery ? [] : (apart ? diffOn(new OverlayFacts(overlay)) : diffTask)(p, sink)).map((c) =>
      isChange(c) && p.task.notify.length ? { ...c, notify: [...(c.notify ?? []), ...p.task.notify] } : c,
    );
    const t: TaskPlan = {
      task: p.task,
      index: p.index,
      status: changes.some(isChange) ? 'changed' : 'ok',
      changes,
      warnings: sink.warnings,
      ...each,
      ...standby(mode),
      ...(apart && mode !== 'standby' ? { checkOnly: true } : {}),
    };
    if (p.task.checkMode === false && env.check && !p.readQuery && changes.some(isChange))
      t.warnings.push('check_mode: false: --check never changes a host here; this task is shown as planned');
    const out = p.readQuery ? facts.cmd((p.readQuery as { argv: string[] }).argv) : undefined;
    const result = {
      ...(p.module.commandResult ? p.module.commandResult.result(p.args, out) : {}),
      changed: t.status === 'changed',
      failed: !!out && out.rc !== 0,
      ...(sink.notes?.length ? { msg: sink.notes.join('\n') } : {}),
    };
    if (!out && p.module.commandResult) for (const k of RUNTIME_ONLY) delete (result as Vars)[k];
    if (!out && p.module.commandResult) delete (result as Vars).skipped;
    applyConditions(p, t, result, () => whenVarsOf(p), env, prep.host, sink);
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
    if (sink.notes?.length) t.msg = [...sink.notes, ...(t.msg ? [t.msg] : [])].join('\n');
    problems.push(...sink.problems);
    push(p, t);
    results.add(p, { ...result, changed: t.status === 'changed', failed: t.status === 'failed' });
    planned = results.into(planned, p);
    if (p.module.setsVars && p.deferred && mode === 'run') planned = withVars(planned, p.module.setsVars(p.args));
    if (t.status === 'failed' && !t.ignoreErrors && mode === 'run') flow.fail(p.task);
  }
  flow.end();

  problems.push(
    ...unconverging(prep.host, sources, plan, (p) =>
      guarded(p, { warnings: [], problems: [] }, [], (ctx) => p.module.diff(overlay, p.args, ctx)),
    ),
  );
  plan.handlers = planHandlers(prep, plan.tasks.slice(since), env, problems, diffTask, handlerSkip, handlerReady, hooks.notified);
  if (problems.length) throw new ValidationError(problems);
  return plan;
}

const CHECK_SKIP = 'skipped in check mode';

function withoutPlaceholders(vars: Vars, names: string[] | undefined): Vars {
  if (!names?.some((n) => Object.hasOwn(vars, n))) return vars;
  const out = withVars({}, vars);
  for (const n of names) delete out[n];
  return out;
}
/** What a command registers only once it ran: unknown to a plan made before it runs. */
const RUNTIME_ONLY = ['rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines', 'start', 'end', 'delta', 'msg'];

function standby(mode: FlowMode): Pick<TaskPlan, 'standby'> {
  return mode === 'standby' ? { standby: true } : {};
}

/** A task that uses a registered result, rendered now that the result is known. */
function rendered(p: PreparedTask, vars: Vars, env: PlanEnv, host: string, problems: Problem[]): PreparedTask | undefined {
  try {
    const args = env.renderArgs(p.task.args, vars, { task: p.task, host });
    const invalid = p.task.meta ? [] : env.registry.validateArgs(p.task.module, args, p.task.args);
    if (invalid.length) {
      problems.push(...invalid.map((q) => ({ ...q, host: q.host ?? host, task: q.task ?? p.task.name })));
      return undefined;
    }
    return { ...p, args };
  } catch (err) {
    problems.push(...thrownProblems(err, host, p.task).map((q) => withRegisteredHint(q)));
    return undefined;
  }
}

/** changed_when / failed_when, with the task's own result registered under its name, as Ansible evaluates them. */
function applyConditions(p: PreparedTask, t: TaskPlan, result: Vars, vars: () => Vars, env: PlanEnv, host: string, sink: TaskSink): void {
  const holds = (conds: (string | boolean)[]): boolean | undefined => {
    try {
      let v: Vars | undefined;
      const scope = () => (v ??= p.task.register ? withVars(vars(), { [p.task.register]: result }) : vars());
      return conds.every((c) => (typeof c === 'boolean' ? c : env.evalWhen(c, scope(), p.task.pos)));
    } catch (err) {
      sink.problems.push(...thrownProblems(err, host, p.task).map((q) => withRegisteredHint(q)));
      return undefined;
    }
  };
  if (p.task.changedWhen) {
    const changed = holds(p.task.changedWhen);
    if (changed === false) {
      t.changes = t.changes.map((c) => ({ ...c, changed: false }));
      t.status = 'ok';
    } else if (changed === true && t.changes.length) t.status = 'changed';
  }
  if (p.task.failedWhen) {
    const failed = holds(p.task.failedWhen);
    // failed_when: false on a task that runs on the host: a failure there is reported ok.
    if (failed === false && !p.readQuery) t.ignoreErrors = true;
    if (failed === true) {
      t.status = 'failed';
      t.msg = `failed_when holds: ${p.task.failedWhen.join(' and ')}`;
    }
  } else if (result.failed === true) {
    t.status = 'failed';
    t.msg = `the command exited ${String(result.rc)}${result.stderr ? `: ${String(result.stderr)}` : ''}`;
  }
  if (t.status === 'failed' && t.ignoreErrors) t.msg = `failed, ignored (ignore_errors): ${t.msg}`;
}

/** A task whose registered input or facts changed what it reads: the host was read before those were known. */
function readsMoved(q: Problem, input: 'registered' | 'facts'): Problem {
  if (!/was read but not declared/.test(q.message)) return q;
  const what = input === 'facts' ? 'an ansible_* fact' : 'a registered result';
  return {
    ...q,
    message: `its args use ${what} to name what it reads on the host, which is read once, before any task is planned`,
    hint: `use ${what} for content and conditions, not for the paths, keys or units a task manages`,
  };
}

/** An undefined rc/stdout of a registered command: say why it is not known yet. */
function withRegisteredHint(q: Problem): Problem {
  if (!/undefined|has no attribute|no key/i.test(q.message) || !/\b(rc|stdout|stderr|stdout_lines|stderr_lines)\b/.test(q.message))
    return q;
  return {
    ...q,
    hint: "a command's rc and output are known before the plan only when it is read-only: give it changed_when: false (and check_mode: false to run it under --check) so it runs while the host is read; a command that changes the host registers changed and failed only",
  };
}

/**
 * Tasks whose file a later task writes again, and that would then want to write it back: every
 * run would change the file twice and never converge (two tasks rendering one boot script with
 * different rules, a copy whose file a lineinfile edits). Each earlier writer is planned again on
 * the final overlay; one that still writes the path is a problem naming both tasks.
 */
function unconverging(host: string, sources: PreparedTask[], plan: HostPlan, replan: (p: PreparedTask) => Change[]): Problem[] {
  const writers = new Map<string, number[]>();
  plan.tasks.forEach((t, i) => {
    // A rescue on standby and a check_mode task write nothing the others plan on.
    if (t.standby || t.checkOnly) return;
    // Every host plans this: its lists grow in place, no list is made per change or op.
    for (const c of t.changes) {
      if (!isChange(c)) continue;
      for (const op of c.ops) {
        if (!writes(op)) continue;
        const tasks = writers.get(op.path);
        if (tasks) tasks.push(i);
        else writers.set(op.path, [i]);
      }
    }
  });
  const problems: Problem[] = [];
  const reported = new Set<number>();
  for (const [path, tasks] of writers) {
    if (tasks.length < 2) continue;
    const last = tasks[tasks.length - 1];
    for (const i of tasks.slice(0, -1)) {
      if (reported.has(i) || plan.tasks[i].task === plan.tasks[last].task) continue;
      // plan.tasks[i] is the plan of sources[i].
      if (!replan(sources[i]!).some((c) => isChange(c) && writtenPaths(c).includes(path))) continue;
      reported.add(i);
      const later = plan.tasks[last].task;
      const where = later.pos ? ` (${later.pos.file}:${later.pos.line})` : '';
      problems.push({
        ...problemAt(
          host,
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

function writes(op: Op): op is Extract<Op, { kind: 'put' | 'symlink' | 'upload' }> {
  return op.kind === 'put' || op.kind === 'symlink' || op.kind === 'upload';
}

function writtenPaths(c: Change): string[] {
  return c.ops.flatMap((op) => (writes(op) ? [op.path] : []));
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
  if (env.check && p.module.skipInCheck && !p.readQuery) return CHECK_SKIP;
  return undefined;
}

/** Module handlers first (in their declared order), then play handlers in the order they are defined. */
function planHandlers(
  prep: PreparedHost,
  tasks: TaskPlan[],
  env: PlanEnv,
  problems: Problem[],
  diffTask: (p: PreparedTask, sink: TaskSink) => Change[],
  skip: (p: PreparedTask) => string | undefined,
  ready: (p: PreparedTask) => PreparedTask | undefined,
  earlier: string[] = [],
): HandlerPlan[] {
  const notified = new Set<string>(earlier);
  // A change that reports ok (changed: false) notifies nothing, as the apply script does.
  forEachNotified(tasks, (k) => notified.add(k));
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
    const h = ready(p);
    if (!h) continue;
    const sink: TaskSink = { warnings: [], problems: [] };
    const changes = diffTask(h, sink);
    problems.push(...sink.problems);
    out.push({
      name: p.task.name,
      source: 'play',
      keys,
      changes,
      ...(p.task.noLog ? { noLog: true } : {}),
      ...(sink.notes?.length ? { msg: sink.notes.join('\n') } : {}),
    });
  }
  forEachNotified(tasks, (key, t) => {
    if (claimed.has(key)) return;
    problems.push({
      ...problemAt(prep.host, t.task, {}, `notifies "${key}", but no handler has that name`),
      hint: `add a handler named "${key}" (or listening to it) to the play`,
    });
    claimed.add(key);
  });
  return out;
}

/** Each key a pending change of an applied task notifies, in plan order. Every host plans its
 *  handlers: no list is made per task or change. */
function forEachNotified(tasks: TaskPlan[], visit: (key: string, t: TaskPlan) => void): void {
  for (const t of tasks) {
    if (!applied(t)) continue;
    for (const c of t.changes) if (isChange(c) && c.notify) for (const k of c.notify) visit(k, t);
  }
}
