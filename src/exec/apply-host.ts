// Applies one host's plan: uploads staged first, then one script for every change and handler
// (with a guard: inside the guarded exec of guarded-script.ts, which also gathers the host after).
// The script holds the host's apply lock (host-lock.ts) while it runs. The host stops at its
// first failed change; handlers notified by the changes that succeeded still run unless
// forceHandlers is off.
import { basename, dirname } from 'node:path';
import type { Transport } from '../transport/types.js';
import { MARK, rooted, shq } from '../script/shell.js';
import { LEADS_FUNCTION, leadsGuard } from '../script/root-guard.js';
import { UnreachableError } from '../errors.js';
import { isChange, type HandlerPlan, type HostPlan } from '../plan/types.js';
import type { BlockPlace } from '../playbook/types.js';
import { BlockFlow } from '../plan/block-flow.js';
import { blockGuard, closeBlocks, failFlag } from './block-script.js';
import { guardedScript, splitGuardedOutput, type ApplyGuard } from './guarded-script.js';
import { lockRefused, takeLock } from './host-lock.js';
import type { ExecResult } from '../transport/types.js';
import { compileApplyScript, mkdirShared, parseApplyOutput, type ScriptStep, type StepOutcome } from './apply-script.js';
import { plannedHandlerResult, plannedResult, type TaskResult } from './results.js';

export interface HostApplyOutcome {
  results: TaskResult[];
  /** At least one change ran: the host is worth verifying. */
  applied: boolean;
  unreachable: boolean;
  /** Guarded: the host no longer matched the facts the plan was made from; nothing ran. */
  drift?: boolean;
  /** Guarded: the output of the gather that ran after the apply, in the same exec. */
  after?: ExecResult;
}

interface StepOwner {
  /** 'notified': handler flags raised by changes an earlier script applied; 'raw': block bookkeeping. */
  kind: 'task' | 'handler' | 'notified' | 'raw';
  /** The task's index in plan.tasks; for a handler, its index in its segment. */
  index: number;
  /** Handlers: which run of handlers (each flush_handlers, then the play's end). */
  segment?: number;
}

/** Told when the script starts a task's (or handler's) first change, as it happens. */
export type OnRunning = (task: string, handler: boolean) => void;

export interface ApplyOptions {
  onRunning?: OnRunning;
  /** Seconds to wait for another apply's host lock (host-lock.ts); 300 by default. */
  lockWait?: number;
}

/** `notified`: handler keys that changes applied by earlier scripts to this host notified. */
export async function applyHost(
  transport: Transport,
  plan: HostPlan,
  forceHandlers: boolean,
  notified: string[] = [],
  guard?: ApplyGuard,
  { onRunning, lockWait = 300 }: ApplyOptions = {},
): Promise<HostApplyOutcome> {
  const steps: ScriptStep[] = [];
  const owners: StepOwner[] = [];
  // Handlers run at each flush_handlers and at the end: one segment each, with its own flags.
  const segments = [...plan.tasks.flatMap((t) => (t.flush ? [t.flush] : [])), plan.handlers];
  const flag = (seg: number, h: number) => `N${seg}_${h}`;
  const last = segments.length - 1;
  const earlier = plan.handlers.flatMap((h, hi) => (h.keys.some((k) => notified.includes(k)) ? [flag(last, hi)] : []));
  if (earlier.length) {
    steps.push({ change: { summary: 'handlers notified by earlier changes', ops: [] }, sets: earlier });
    owners.push({ kind: 'notified', index: 0 });
  }
  const handlerSteps = (seg: number, flushed: boolean) =>
    segments[seg]!.forEach((h, hi) => {
      // A handler that changes nothing (debug) still gets a step: the script says whether it ran.
      for (const change of h.changes.length ? h.changes : [{ summary: h.name, ops: [] }]) {
        // A handler flushed mid-play that fails stops the host's later tasks, as a task would.
        steps.push({ change, sets: [], when: [flag(seg, hi)], ...(flushed ? { onFail: 'F=1' } : {}) });
        owners.push({ kind: 'handler', index: hi, segment: seg });
      }
    });
  let seg = 0;
  let chain: BlockPlace[] = [];
  plan.tasks.forEach((t, ti) => {
    const next = t.task.blocks ?? [];
    const close = closeBlocks(chain, next);
    if (close) {
      steps.push({ change: { summary: 'end of block', ops: [] }, sets: [], raw: close });
      owners.push({ kind: 'raw', index: ti });
    }
    chain = next;
    if (t.flush) {
      handlerSteps(seg, true);
      seg++;
      return;
    }
    if (t.checkOnly) return;
    const inBlock = { ...(blockGuard(next) ? { guard: blockGuard(next) } : {}), ...(next.length ? { onFail: failFlag(next) } : {}) };
    const ignore = t.ignoreErrors ? { ignoreErrors: true } : {};
    if (t.status === 'failed') {
      steps.push({ change: { summary: `fail: ${t.task.name}`, ops: [] }, sets: [], fails: t.msg ?? 'failed', ...inBlock, ...ignore });
      owners.push({ kind: 'task', index: ti });
      return;
    }
    for (const change of t.changes) {
      const sets = isChange(change)
        ? segments[seg]!.flatMap((h, hi) => (h.keys.some((k) => change.notify?.includes(k)) ? [flag(seg, hi)] : []))
        : [];
      steps.push({ change, sets, ...inBlock, ...ignore });
      owners.push({ kind: 'task', index: ti });
    }
  });
  const close = closeBlocks(chain, []);
  if (close) {
    steps.push({ change: { summary: 'end of block', ops: [] }, sets: [], raw: close });
    owners.push({ kind: 'raw', index: plan.tasks.length });
  }
  handlerSteps(last, false);

  let outcomes: StepOutcome[] = steps.map(() => ({ status: 'not-run', skippedLive: 0 }));
  let after: ExecResult | undefined;
  if (steps.length) {
    const compiled = compileApplyScript(steps, { root: transport.root, offline: transport.offline }, forceHandlers);
    try {
      await stageUploads(transport, steps, compiled.stages);
      const live = onRunning && { onStdout: startWatcher(owners, (o) => ownerName(plan, segments, o), onRunning) };
      const script = takeLock(transport.root, lockWait) + (guard ? guardedScript(guard, compiled.script) : compiled.script);
      let res = await transport.exec(script, live);
      const refused = lockRefused(res.stdout, res.stderr);
      if (refused !== undefined) throw new Error(refused);
      if (guard) {
        const split = splitGuardedOutput(res);
        after = split.after;
        if (!split.applied) return { results: [], applied: false, unreachable: false, drift: true, after };
        res = split.apply;
      }
      outcomes = parseApplyOutput(res.stdout, steps.length);
      if (res.rc !== 0 && !outcomes.some((o) => o.status === 'failed')) {
        const first = outcomes.findIndex((o, i) => o.status === 'not-run' && owners[i]!.kind !== 'raw');
        if (first >= 0)
          outcomes[first] = { status: 'failed', error: `apply script exited ${res.rc}: ${res.stderr.trim()}`, skippedLive: 0 };
      }
    } catch (err) {
      if (err instanceof UnreachableError)
        return { results: [unreachableResult(plan.host, err.message)], applied: false, unreachable: true };
      const first = outcomes.findIndex((o) => o.status === 'not-run');
      outcomes[Math.max(first, 0)] = { status: 'failed', error: err instanceof Error ? err.message : String(err), skippedLive: 0 };
    }
  }
  return {
    results: collectResults(plan, owners, outcomes),
    applied: outcomes.some((o) => o.status === 'ok'),
    unreachable: false,
    ...(after ? { after } : {}),
  };
}

/** Reads the script's stdout as it arrives: the first `start` marker of each task's or handler's
 *  steps is reported. The gather after a guarded apply is not read (its output is the host's). */
function startWatcher(owners: StepOwner[], name: (o: StepOwner) => string | undefined, onRunning: OnRunning): (chunk: Buffer) => void {
  let rest = '';
  let done = false;
  const told = new Set<string>();
  return (chunk) => {
    if (done) return;
    const lines = (rest + chunk.toString('latin1')).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line === `${MARK} after`) return void (done = true);
      const m = line.startsWith(`${MARK} start `) ? owners[Number(line.slice(MARK.length + 7))] : undefined;
      const task = m && name(m);
      const key = m && `${m.kind}:${m.segment ?? ''}:${m.index}`;
      if (task === undefined || !key || told.has(key)) continue;
      told.add(key);
      onRunning(task, m.kind === 'handler');
    }
  };
}

function ownerName(plan: HostPlan, segments: HandlerPlan[][], o: StepOwner): string | undefined {
  if (o.kind === 'task') return plan.tasks[o.index]?.task.name;
  if (o.kind === 'handler') return segments[o.segment!]?.[o.index]?.name;
  return undefined;
}

/** Upload ops travel before the script, to a staging name beside their target; the script
 *  renames them. One exec first makes the folders and removes what an earlier run cut short
 *  left beside the same targets (staged copies and transfer temp files, all named `.*.psd-*`). */
async function stageUploads(transport: Transport, steps: ScriptStep[], stages: Map<string, string>): Promise<void> {
  if (stages.size === 0) return;
  const uploads = [...stages].flatMap(([key, stagePath]) => {
    const [n, k] = key.split('.').map(Number);
    const op = steps[n!]!.change.ops[k!]!;
    return op.kind === 'upload' ? [{ op, stagePath }] : [];
  });
  const dirs = [...new Set(uploads.map((u) => shq(rooted(transport.root, dirname(u.stagePath)))))];
  const stale = [...new Set(uploads.map((u) => rooted(transport.root, u.op.path)))].flatMap((target) => {
    const [dir, base] = [dirname(target), basename(target)];
    return [`${shq(`${dir}/.${base}.psd-`)}*`, `${shq(`${dir}/..${base}.psd-`)}*`];
  });
  // Nothing is staged through a folder that leads elsewhere than when the host was read.
  const leads = transport.root ? [] : uploads.map((u) => leadsGuard(u.op.path, u.op.dirLeads, ' && ')).filter(Boolean);
  const check = leads.length ? `${LEADS_FUNCTION}\n${leads.join('')}` : '';
  const made = await transport.exec(`${check}${mkdirShared(dirs.join(' '))} && rm -f ${stale.join(' ')}`);
  if (made.rc !== 0) throw new Error(`cannot create ${dirs.join(' ')}: ${made.stderr.trim()}`);
  for (const { op, stagePath } of uploads) await transport.upload(op.localPath, stagePath, op.mode);
}

function collectResults(plan: HostPlan, owners: StepOwner[], outcomes: StepOutcome[]): TaskResult[] {
  const forOwner = (kind: StepOwner['kind'], index: number, segment?: number) =>
    outcomes.filter((_, i) => owners[i]!.kind === kind && owners[i]!.index === index && owners[i]!.segment === segment);
  const results: TaskResult[] = [];
  const handlerResults = (seg: number, handlers: HandlerPlan[]) =>
    handlers.forEach((h, hi) => {
      const outs = forOwner('handler', hi, seg);
      if (outs.every((o) => o.status === 'not-run')) return;
      const failed = outs.find((o) => o.status === 'failed');
      const base = plannedHandlerResult(plan.host, h);
      const msg = failed ? failed.error || 'failed' : (offlineNote(outs) ?? h.msg);
      results.push({ ...base, ...(failed ? { status: 'failed' as const } : {}), ...(msg ? { msg } : {}) });
    });
  // The same flow the script ran: which tasks a failure skipped, which rescue parts ran.
  const flow = new BlockFlow(false);
  let seg = 0;
  plan.tasks.forEach((t, ti) => {
    flow.enter(t.task);
    if (flow.mode(t.task) === 'skip') return;
    if (t.flush) {
      handlerResults(seg++, t.flush);
      return;
    }
    const base = plannedResult(plan.host, t);
    const outs = t.checkOnly ? [] : forOwner('task', ti);
    const failed = outs.find((o) => o.status === 'failed');
    if (failed && t.ignoreErrors) {
      const msg = t.status === 'failed' ? (t.msg ?? 'failed') : `failed, ignored (ignore_errors): ${failed.error || 'failed'}`;
      results.push({ ...base, status: 'ok', changes: [], msg });
      return;
    }
    if (failed) {
      const rescued = BlockFlow.rescuedAt(t.task.blocks ?? []);
      results.push({ ...base, status: 'failed', msg: failed.error || 'failed', ...(rescued ? { rescued: true } : {}) });
      flow.fail(t.task);
      return;
    }
    if (outs.some((o) => o.status === 'not-run')) return; // an earlier failure stopped the host
    const msg = offlineNote(outs);
    results.push(msg ? { ...base, msg } : base);
  });
  flow.end();
  handlerResults(seg, plan.handlers);
  return results;
}

function offlineNote(outs: StepOutcome[]): string | undefined {
  const n = outs.reduce((a, o) => a + o.skippedLive, 0);
  return n ? `${n} live step${n > 1 ? 's' : ''} skipped: the root is offline` : undefined;
}

export function unreachableResult(host: string, msg: string): TaskResult {
  return { host, task: 'connect', status: 'unreachable', changes: [], msg };
}
