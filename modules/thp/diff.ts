// The thp module's diff: each knob written live where it drifts, the boot script and unit that
// restore it, and the removal of the old tmpfiles.d entry.
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { choiceAfterWrite, liveWriteOp } from '../_tuning/live-write.js';
import { bootInstallChanges, renderBootFiles, type BootFiles, type BootUnit } from '../_tuning/boot-persistence.js';
import type { ThpArgs } from './schema.js';

export type Mode = 'always' | 'madvise' | 'never';

export const SETTINGS = ['enabled', 'defrag'] as const;
export const sysfsPath = (name: string) => `/sys/kernel/mm/transparent_hugepage/${name}`;
/** Where earlier versions persisted THP; removed on apply. */
export const LEGACY_TMPFILES = '/etc/tmpfiles.d/portsyncd-thp.conf';

export const THP_BOOT_UNIT: BootUnit = {
  module: 'thp',
  description: 'transparent huge pages',
  scriptPath: '/usr/local/sbin/portsyncd-thp.sh',
  unitName: 'portsyncd-tuning-thp.service',
  early: true,
};

/**
 * "always [madvise] never" -> "madvise"; a file holding one word (an emulated knob that keeps
 * what was written, as in the switch lab) is that word; null when absent or unreadable.
 */
export function bracketed(text: string | null): string | null {
  if (text === null) return null;
  const words = text.trim().split(/\s+/).filter(Boolean);
  return /\[([^\]]+)\]/.exec(text)?.[1] ?? (words.length === 1 ? words[0]! : null);
}

export function wanted(args: ThpArgs): { name: string; path: string; value: Mode }[] {
  return SETTINGS.filter((n) => args[n] !== undefined).map((n) => ({ name: n, path: sysfsPath(n), value: args[n] as Mode }));
}

export function bootFiles(ctx: PlanContext, args: ThpArgs): BootFiles {
  return renderBootFiles(ctx, THP_BOOT_UNIT, { thpRules: wanted(args) });
}

export function legacyRemoval(facts: Facts): Change[] {
  const before = facts.file(LEGACY_TMPFILES);
  if (before === null && !facts.stat(LEGACY_TMPFILES)) return [];
  return [
    {
      summary: `remove ${LEGACY_TMPFILES} (THP is restored by ${THP_BOOT_UNIT.unitName})`,
      diff: unifiedDiff(LEGACY_TMPFILES, before, null),
      ops: [{ kind: 'remove', path: LEGACY_TMPFILES }],
    },
  ];
}

export function thpDiff(facts: Facts, args: ThpArgs, ctx: PlanContext): Change[] {
  const changes: Change[] = [];
  for (const w of wanted(args)) {
    if (ctx.offline) continue;
    const text = facts.file(w.path);
    if (text === null) {
      ctx.error(
        `${w.path} does not exist (kernel ${facts.host.kernel || 'unknown'} has no transparent huge pages)`,
        [w.name],
        'remove the thp task for this host',
      );
      continue;
    }
    const current = bracketed(text);
    if (current === w.value) continue;
    if (!text.split(/\s+/).some((word) => word.replace(/^\[|\]$/g, '') === w.value)) {
      ctx.error(`${w.path} does not offer "${w.value}" (offers: ${text.trim()})`, [w.name]);
      continue;
    }
    changes.push({
      summary: `THP ${w.name}: ${current ?? '?'} -> ${w.value}`,
      diff: `${w.path}: ${current ?? '?'} -> ${w.value}\n`,
      ops: [liveWriteOp([{ path: w.path, value: w.value, reads: choiceAfterWrite(text, w.value) }])],
    });
  }
  return [...changes, ...bootInstallChanges(facts, THP_BOOT_UNIT, bootFiles(ctx, args)), ...legacyRemoval(facts)];
}
