// The thp module's inspect: each setting's desired, live and persisted value for verify.
import type { PlanContext, SettingState } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { bootPersisted } from '../_tuning/boot-persistence.js';
import type { ThpArgs } from './schema.js';
import { bootFiles, bracketed, THP_BOOT_UNIT, wanted } from './diff.js';

function liveValue(facts: Facts, path: string): string | null {
  return bracketed(facts.file(path));
}

export function thpInspect(facts: Facts, args: ThpArgs, ctx: PlanContext): SettingState[] {
  const files = bootFiles(ctx, args);
  return wanted(args).map((w): SettingState => {
    const live = ctx.offline ? undefined : liveValue(facts, w.path);
    const persisted = bootPersisted(facts, THP_BOOT_UNIT, files, w.value);
    return {
      setting: `transparent_hugepage/${w.name}`,
      desired: w.value,
      ...(live === undefined ? {} : { live }),
      persisted,
      ok: (live === undefined || live === w.value) && persisted === w.value,
    };
  });
}
