// `verify` view of the sysctl module: per key what the playbook wants, what the kernel runs and
// what the file will restore at boot.
import type { Facts } from '../../src/facts/types.js';
import type { PlanContext, SettingState } from '../../src/module.js';
import { collapseWhitespace, sameValue } from '../_shared/normalize.js';
import { parseSysctlConf } from './conf-file.js';
import type { SysctlArgs } from './schema.js';
import { isAbsent } from './settings.js';
import { kernelKeys } from './kernel-keys.js';

export function sysctlInspect(facts: Facts, args: SysctlArgs, ctx: PlanContext): SettingState[] {
  const persisted = new Map(parseSysctlConf(facts.file(args.file) ?? '').map((e) => [e.key, e.value]));
  const kernel = kernelKeys(facts, Object.keys(args.settings ?? {}), ctx);
  return Object.entries(args.settings ?? {}).map(([key, raw]) => {
    const desired = collapseWhitespace(raw);
    const live = ctx.offline ? undefined : facts.sysctl(key);
    const stored = persisted.get(key) ?? null;
    if (isAbsent(kernel, key, ctx)) {
      // Left out by design under missing: warn|skip, an error under fail.
      return { setting: key, desired, live: null, persisted: stored, ok: args.missing !== 'fail' };
    }
    const liveOk = !args.apply_live || live === undefined || live === null || sameValue(live, desired);
    const persistedOk = args.state === 'absent' ? stored === null : stored !== null && sameValue(stored, desired);
    return {
      setting: key,
      desired,
      live: live === undefined || live === null ? live : collapseWhitespace(live),
      persisted: stored,
      ok: liveOk && persistedOk,
    };
  });
}
