// The daemon_scheduling module's diff: the drop-in with the scheduling directives (or its
// removal), notifying daemon-reload and the handlers the task names.
import type { Change, PlanContext } from '../../src/module.js';
import { fileChange } from '../_shared/file-change.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { DAEMON_RELOAD } from '../_shared/handlers.js';
import { directives } from './directives.js';
import type { Facts } from '../../src/facts/types.js';
import type { DaemonSchedulingArgs } from './schema.js';

export const dropinPath = (args: Pick<DaemonSchedulingArgs, 'unit' | 'dropin'>) => `/etc/systemd/system/${args.unit}.d/${args.dropin}`;

export function daemonSchedulingDiff(facts: Facts, args: DaemonSchedulingArgs, ctx: PlanContext): Change[] {
  const path = dropinPath(args);
  const notify = [DAEMON_RELOAD, ...args.notify];
  if (args.state === 'absent') {
    const before = facts.file(path);
    if (before === null && !facts.stat(path)) return [];
    return [{ summary: `remove ${path}`, diff: unifiedDiff(path, before, null), ops: [{ kind: 'remove', path }], notify }];
  }
  const wanted = directives(args, facts.host, ctx);
  if (!wanted) return [];
  if (wanted.length === 0) {
    ctx.error(
      `daemon_scheduling sets nothing for ${args.unit}`,
      [],
      'set at least one of cpu_affinity, numa_policy, nice, cpu_scheduling_policy, limit_nofile, limit_nproc, limit_memlock, or use state: absent',
    );
    return [];
  }
  const content = ctx.render('tuning/scheduling-dropin.conf.hbs', { unit: args.unit, directives: wanted });
  const change = fileChange(facts, { path, content, mode: '0644', owner: 'root', group: 'root' });
  return change ? [{ ...change, notify } satisfies Change] : [];
}
