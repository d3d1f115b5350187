// Applies one host's plan: uploads staged first, then one script for every change and handler
// (with a guard: inside the guarded exec of guarded-script.ts, which also gathers the host after).
// The host stops at its first failed change; handlers notified by the changes that succeeded
// still run unless forceHandlers is off.
import { basename, dirname } from 'node:path';
import type { Transport } from '../transport/types.js';
import { rooted, shq } from '../script/shell.js';
import { UnreachableError } from '../errors.js';
import { isChange, type HostPlan } from '../plan/types.js';
import { guardedScript, splitGuardedOutput, type ApplyGuard } from './guarded-script.js';
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
  /** 'notified': handler flags raised by changes an earlier script applied. */
  kind: 'task' | 'handler' | 'notified';
  index: number;
}

/** `notified`: handler keys that changes applied by earlier scripts to this host notified. */
export async function applyHost(
  transport: Transport,
  plan: HostPlan,
  forceHandlers: boolean,
  notified: string[] = [],
  guard?: ApplyGuard,
): Promise<HostApplyOutcome> {
  const steps: ScriptStep[] = [];
  const owners: StepOwner[] = [];
  const flag = (h: number) => `N${h}`;
  const earlier = plan.handlers.flatMap((h, hi) => (h.keys.some((k) => notified.includes(k)) ? [flag(hi)] : []));
  if (earlier.length) {
    steps.push({ change: { summary: 'handlers notified by earlier changes', ops: [] }, sets: earlier });
    owners.push({ kind: 'notified', index: 0 });
  }
  plan.tasks.forEach((t, ti) => {
    for (const change of t.changes) {
      const sets = isChange(change)
        ? plan.handlers.flatMap((h, hi) => (h.keys.some((k) => change.notify?.includes(k)) ? [flag(hi)] : []))
        : [];
      steps.push({ change, sets, ...(t.ignoreErrors ? { ignoreErrors: true } : {}) });
      owners.push({ kind: 'task', index: ti });
    }
  });
  plan.handlers.forEach((h, hi) => {
    for (const change of h.changes) {
      steps.push({ change, sets: [], when: [flag(hi)] });
      owners.push({ kind: 'handler', index: hi });
    }
  });

  let outcomes: StepOutcome[] = steps.map(() => ({ status: 'not-run', skippedLive: 0 }));
  let after: ExecResult | undefined;
  if (steps.length) {
    const compiled = compileApplyScript(steps, { root: transport.root, offline: transport.offline }, forceHandlers);
    try {
      await stageUploads(transport, steps, compiled.stages);
      let res = await transport.exec(guard ? guardedScript(guard, compiled.script) : compiled.script);
      if (guard) {
        const split = splitGuardedOutput(res);
        after = split.after;
        if (!split.applied) return { results: [], applied: false, unreachable: false, drift: true, after };
        res = split.apply;
      }
      outcomes = parseApplyOutput(res.stdout, steps.length);
      if (res.rc !== 0 && !outcomes.some((o) => o.status === 'failed')) {
        const first = outcomes.findIndex((o) => o.status === 'not-run');
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
  const made = await transport.exec(`${mkdirShared(dirs.join(' '))} && rm -f ${stale.join(' ')}`);
  if (made.rc !== 0) throw new Error(`cannot create ${dirs.join(' ')}: ${made.stderr.trim()}`);
  for (const { op, stagePath } of uploads) await transport.upload(op.localPath, stagePath, op.mode);
}

function collectResults(plan: HostPlan, owners: StepOwner[], outcomes: StepOutcome[]): TaskResult[] {
  const forOwner = (kind: StepOwner['kind'], index: number) =>
    outcomes.filter((_, i) => owners[i]!.kind === kind && owners[i]!.index === index);
  const results: TaskResult[] = [];
  let stopped = false;
  plan.tasks.forEach((t, ti) => {
    if (stopped) return;
    const base = plannedResult(plan.host, t);
    const outs = forOwner('task', ti);
    const failed = outs.find((o) => o.status === 'failed');
    if (failed && t.ignoreErrors) {
      results.push({ ...base, status: 'ok', changes: [], msg: `failed, ignored (ignore_errors): ${failed.error || 'failed'}` });
      return;
    }
    if (failed) {
      results.push({ ...base, status: 'failed', msg: failed.error || 'failed' });
      stopped = true;
      return;
    }
    if (outs.some((o) => o.status === 'not-run')) return; // an earlier failure stopped the host
    const msg = offlineNote(outs);
    results.push(msg ? { ...base, msg } : base);
  });
  plan.handlers.forEach((h, hi) => {
    const outs = forOwner('handler', hi);
    if (outs.every((o) => o.status === 'not-run')) return;
    const failed = outs.find((o) => o.status === 'failed');
    const base = plannedHandlerResult(plan.host, h);
    const msg = failed ? failed.error || 'failed' : offlineNote(outs);
    results.push({ ...base, ...(failed ? { status: 'failed' as const } : {}), ...(msg ? { msg } : {}) });
  });
  return results;
}

function offlineNote(outs: StepOutcome[]): string | undefined {
  const n = outs.reduce((a, o) => a + o.skippedLive, 0);
  return n ? `${n} live step${n > 1 ? 's' : ''} skipped: the root is offline` : undefined;
}

export function unreachableResult(host: string, msg: string): TaskResult {
  return { host, task: 'connect', status: 'unreachable', changes: [], msg };
}
