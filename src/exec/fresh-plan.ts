// What a batch compares when it replans a host on fresh facts: the changes the preflight showed
// and the changes the host now needs.
import { isChange, type HostPlan } from '../plan/types.js';

/** The plan has something to run on the host (a pending change, or ops that report ok). */
export function hasWork(plan: HostPlan): boolean {
  return plan.tasks.some((t) => (t.changes.length > 0 && !t.checkOnly) || !!t.flush?.length) || plan.handlers.length > 0;
}

/** Applying the plan runs something on the host: its work, or a failure the plan already knows
 *  of, which the apply script reports. */
export function touchesHost(plan: HostPlan): boolean {
  return hasWork(plan) || plan.tasks.some((t) => t.status === 'failed' && !t.checkOnly);
}

/** One line per pending change and handler: what a plan is compared by. */
export function planLines(plan: HostPlan): string[] {
  return [
    ...plan.tasks.flatMap((t) => t.changes.filter(isChange).map((c) => `${t.task.name}: ${c.summary}`)),
    ...plan.handlers.map((h) => `handler ${h.name}`),
  ];
}

/** The lines one plan has and the other lacks; undefined when they plan the same. */
export function planDrift(was: string[], is: string[]): { added: string[]; removed: string[] } | undefined {
  const added = is.filter((l) => !was.includes(l));
  const removed = was.filter((l) => !is.includes(l));
  return added.length || removed.length ? { added, removed } : undefined;
}

/** Both plans would run the same ops and handlers on the host. */
export function sameWork(a: HostPlan, b: HostPlan): boolean {
  const work = (p: HostPlan) =>
    JSON.stringify([
      p.tasks.map((t) => t.changes.map((c) => [c.ops, c.notify, c.changed])),
      p.handlers.map((h) => [h.name, h.changes.map((c) => c.ops)]),
    ]);
  return work(a) === work(b);
}
