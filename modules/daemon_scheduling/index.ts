// daemon_scheduling: CPU affinity, NUMA policy, scheduling class and resource limits of a systemd
// unit (the portsyncd daemon by default) as a drop-in. Applying it reloads systemd and notifies
// the handlers named in `notify` (e.g. a restart of the daemon), since only a restart applies it.
import type { Module } from '../../src/module.js';
import { daemonReload } from '../_shared/handlers.js';
import { liveArgv } from './live.js';
import { schema, type DaemonSchedulingArgs } from './schema.js';
import { daemonSchedulingDiff, dropinPath } from './diff.js';
import { daemonSchedulingInspect } from './inspect.js';

const daemonScheduling: Module<DaemonSchedulingArgs> = {
  name: 'daemon_scheduling',
  handlers: [daemonReload],
  schema,

  needs(args, ctx) {
    return [
      { kind: 'file', path: dropinPath(args) },
      { kind: 'stat', path: dropinPath(args) },
      { kind: 'host' },
      ...(ctx.offline
        ? []
        : [
            { kind: 'unit' as const, name: args.unit },
            { kind: 'cmd' as const, argv: liveArgv(args.unit), inShell: true as const },
          ]),
    ];
  },

  diff: daemonSchedulingDiff,

  inspect: daemonSchedulingInspect,
};

export default daemonScheduling;
