// The daemon_scheduling module's inspect: each setting's desired, live and persisted value for
// verify.
import type { SettingState, PlanContext } from '../../src/module.js';
import { parseUnitFile } from '../_shared/systemd-ini.js';
import { directives } from './directives.js';
import { liveArgv, parseLive } from './live.js';
import type { Facts } from '../../src/facts/types.js';
import type { DaemonSchedulingArgs } from './schema.js';
import { dropinPath } from './diff.js';

const UNITS: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

/** A directive's value as the process shows it: LimitMEMLOCK=64M is 67108864 bytes there. */
function liveForm(key: string, value: string): string {
  if (key !== 'LimitMEMLOCK') return value;
  const bytes = (v: string) => v.replace(/^(\d+)([KMGTPE])$/, (_, n: string, u: string) => String(Number(n) * UNITS[u]!));
  const [soft, hard = soft] = value.split(':').map(bytes);
  return soft === hard ? soft! : `${soft}:${hard}`;
}

export function daemonSchedulingInspect(facts: Facts, args: DaemonSchedulingArgs, ctx: PlanContext): SettingState[] {
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
}
