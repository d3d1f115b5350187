// any_errors_fatal, as Ansible runs it: the hosts of a batch go task by task together, and when
// a task fails (or a host is lost) on any of them, no host of the batch starts a later task.
// Handlers notified by the changes that did run follow, unless --no-force-handlers.
import type { Transport } from '../transport/types.js';
import { isChange, type HostPlan } from '../plan/types.js';
import { applyHost, type HostApplyOutcome } from './apply-host.js';
import { runLimited } from './batches.js';
import type { TaskResult } from './results.js';

export interface LockstepHost {
  host: string;
  transport: Transport;
  plan: HostPlan;
}

const bad = (r: TaskResult) => r.status === 'failed' || r.status === 'unreachable';

export async function applyLockstep(hosts: LockstepHost[], forks: number, forceHandlers: boolean): Promise<Map<string, HostApplyOutcome>> {
  const out = new Map(hosts.map((h) => [h.host, { results: [] as TaskResult[], applied: false, unreachable: false }]));
  const indexes = [...new Set(hosts.flatMap((h) => h.plan.tasks.map((t) => t.index)))].sort((a, b) => a - b);
  let fatal = false;
  for (const index of indexes) {
    await runLimited(hosts, forks, async (h) => {
      const o = out.get(h.host)!;
      const t = h.plan.tasks.find((x) => x.index === index);
      if (!t || o.results.some(bad)) return;
      if (!t.changes.length) {
        o.results.push({
          host: h.host,
          task: t.task.name,
          status: t.status,
          changes: [],
          ...(t.msg ? { msg: t.msg } : {}),
          ...(t.warnings.length ? { warnings: t.warnings } : {}),
        });
        return;
      }
      const step = await applyHost(h.transport, { ...h.plan, tasks: [t], handlers: [] }, forceHandlers);
      o.results.push(...step.results);
      o.applied ||= step.applied;
      o.unreachable ||= step.unreachable;
      if (step.results.some(bad)) fatal = true;
    });
    if (fatal) break;
  }
  if (fatal && !forceHandlers) return out;
  await runLimited(hosts, forks, async (h) => {
    const o = out.get(h.host)!;
    if (o.unreachable) return;
    const ran = new Set(o.results.filter((r) => r.status === 'changed').map((r) => r.task));
    const notified = h.plan.tasks
      .filter((t) => ran.has(t.task.name))
      .flatMap((t) => t.changes.filter(isChange).flatMap((c) => c.notify ?? []));
    const handlers = h.plan.handlers.filter((x) => x.keys.some((k) => notified.includes(k)));
    if (!handlers.length) return;
    const step = await applyHost(h.transport, { ...h.plan, tasks: [], handlers }, forceHandlers, notified);
    o.results.push(...step.results);
    o.applied ||= step.applied;
    o.unreachable ||= step.unreachable;
  });
  return out;
}
