// The vm module's inspect: each setting's desired, live and persisted value for verify.
import type { SettingState, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { activeSwaps, fstabSwapLines } from './fstab.js';
import type { VmArgs } from './schema.js';
import { VM_SYSCTL_FILE, FSTAB, PROC_SWAPS, sysctls } from './diff.js';

/** `key = value` of a sysctl.d file, or null. */
function persistedSysctl(conf: string | null, key: string): string | null {
  for (const line of (conf ?? '').split('\n')) {
    const m = /^\s*([^#;=\s]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key) return m[2];
  }
  return null;
}

export function vmInspect(facts: Facts, args: VmArgs, ctx: PlanContext): SettingState[] {
  const conf = facts.file(VM_SYSCTL_FILE);
  const states: SettingState[] = sysctls(args).map((s) => {
    const live = ctx.offline ? undefined : (facts.sysctl(s.key)?.trim() ?? null);
    const persisted = persistedSysctl(conf, s.key);
    return {
      setting: s.key,
      desired: s.value,
      ...(live === undefined ? {} : { live }),
      persisted,
      ok: (live === undefined || live === s.value) && persisted === s.value,
    };
  });
  if (args.swap === 'off') {
    const active = activeSwaps(facts.file(PROC_SWAPS));
    const entries = fstabSwapLines(facts.file(FSTAB) ?? '');
    const live = ctx.offline ? undefined : active.length === 0 ? 'off' : `on (${active.join(', ')})`;
    const persisted = entries.length === 0 ? 'off' : `${entries.length} swap entries in ${FSTAB}`;
    states.push({
      setting: 'swap',
      desired: 'off',
      ...(live === undefined ? {} : { live }),
      persisted,
      ok: (live === undefined || live === 'off') && persisted === 'off',
    });
  }
  return states;
}
