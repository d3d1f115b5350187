// any_errors_fatal, as Ansible runs it: the hosts of a batch go task by task together, and when
// a task fails (or a host is lost) on any of them, no host of the batch starts a later task.
// Handlers notified by the changes that did run follow, unless --no-force-handlers. Each step
// goes through HostWork, so the barrier holds whether this process or workers touch the hosts.
import type { HostApplyOutcome } from './apply-host.js';
import { runLimited } from './batches.js';
import type { LockStep, StepOutcome } from './host-work.js';
import type { TaskResult } from './results.js';

export interface LockstepHost {
  host: string;
  /** Indexes of the tasks prepared for the host, in order. */
  tasks: number[];
}

export type RunStep = (host: string, step: LockStep) => Promise<StepOutcome>;

const bad = (r: TaskResult) => r.status === 'failed' || r.status === 'unreachable';

export async function applyLockstep(
  hosts: LockstepHost[],
  forks: number,
  forceHandlers: boolean,
  step: RunStep,
): Promise<Map<string, HostApplyOutcome>> {
  const out = new Map(hosts.map((h) => [h.host, { results: [] as TaskResult[], applied: false, unreachable: false }]));
  const notified = new Map(hosts.map((h) => [h.host, [] as string[]]));
  const add = (host: string, s: StepOutcome) => {
    const o = out.get(host)!;
    o.results.push(...s.results);
    o.applied ||= s.applied;
    o.unreachable ||= s.unreachable;
    notified.get(host)!.push(...s.notified);
  };
  const indexes = [...new Set(hosts.flatMap((h) => h.tasks))].sort((a, b) => a - b);
  let fatal = false;
  for (const index of indexes) {
    await runLimited(hosts, forks, async (h) => {
      if (!h.tasks.includes(index) || out.get(h.host)!.results.some(bad)) return;
      const s = await step(h.host, { task: index });
      add(h.host, s);
      if (s.results.some(bad)) fatal = true;
    });
    if (fatal) break;
  }
  if (fatal && !forceHandlers) return out;
  await runLimited(hosts, forks, async (h) => {
    const keys = [...new Set(notified.get(h.host))];
    if (out.get(h.host)!.unreachable || !keys.length) return;
    add(h.host, await step(h.host, { handlers: keys }));
  });
  return out;
}
