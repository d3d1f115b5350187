// daemon_scheduling: CPU affinity, NUMA policy, scheduling class and resource limits of a systemd
// unit (the portsyncd daemon by default) as a drop-in. Applying it reloads systemd and notifies
// the handlers named in `notify` (e.g. a restart of the daemon), since only a restart applies it.
import type { Change, Module, SettingState } from '../../src/module.js';
import { fileChange } from '../_shared/file-change.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { parseUnitFile } from '../_shared/systemd-ini.js';
import { DAEMON_RELOAD, daemonReload } from '../_shared/handlers.js';
import { directives } from './directives.js';
import { liveArgv, parseLive } from './live.js';
import { schema, type DaemonSchedulingArgs } from './schema.js';

const UNITS: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

/** A directive's value as the process shows it: LimitMEMLOCK=64M is 67108864 bytes there. */
function liveForm(key: string, value: string): string {
  if (key !== 'LimitMEMLOCK') return value;
  const bytes = (v: string) => v.replace(/^(\d+)([KMGTPE])$/, (_, n: string, u: string) => String(Number(n) * UNITS[u]!));
  const [soft, hard = soft] = value.split(':').map(bytes);
  return soft === hard ? soft! : `${soft}:${hard}`;
}

export const dropinPath = (args: Pick<DaemonSchedulingArgs, 'unit' | 'dropin'>) => `/etc/systemd/system/${args.unit}.d/${args.dropin}`;

const daemonScheduling: Module<DaemonSchedulingArgs> = {
  name: 'daemon_scheduling',
  handlers: [daemonReload],
  schema,

  needs(args, ctx) {
    return [
      { kind: 'file', path: dropinPath(args) },
      { kind: 'stat', path: dropinPath(args) },
      { kind: 'host' },
      ...(ctx.offline ? [] : [{ kind: 'cmd' as const, argv: liveArgv(args.unit) }]),
    ];
  },

  diff(facts, args, ctx) {
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
  },

  inspect(facts, args, ctx) {
    const path = dropinPath(args);
    const text = facts.file(path);
    if (args.state === 'absent')
      return [{ setting: path, desired: 'absent', persisted: text === null ? null : 'present', ok: text === null }];
    const wanted = directives(args, facts.host, ctx) ?? [];
    const entries = parseUnitFile(text ?? '').entries.filter((e) => e.section === 'Service');
    // The running daemon's values; none while it is stopped or not installed, or on an offline root.
    const live = ctx.offline || !facts.host.systemd ? new Map<string, string>() : parseLive(facts.cmd(liveArgv(args.unit)));
    return wanted.map((d): SettingState => {
      const persisted = entries.filter((e) => e.key === d.key).at(-1)?.value ?? null;
      const state: SettingState = { setting: `${args.unit} ${d.key}`, desired: d.value, persisted, ok: persisted === d.value };
      const running = live.get(d.key);
      if (running === undefined) return state;
      return { ...state, live: running, ok: state.ok && running === liveForm(d.key, d.value) };
    });
  },
};

export default daemonScheduling;
