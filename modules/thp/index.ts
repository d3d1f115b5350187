// thp: transparent huge pages (enabled, defrag). Written live to sysfs and restored early at every
// boot by a script + oneshot unit, like the IRQ and RPS settings. Earlier versions persisted THP as
// a tmpfiles.d `w` entry; applying removes that file, so a fleet converges on the boot unit.
import { daemonReload } from '../_shared/handlers.js';
import type { Change, Module, PlanContext, SettingState } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { choiceAfterWrite, liveWriteOp } from '../_tuning/live-write.js';
import {
  bootInstallChanges,
  bootNeeds,
  bootPersisted,
  renderBootFiles,
  type BootFiles,
  type BootUnit,
} from '../_tuning/boot-persistence.js';
import { schema, type ThpArgs } from './schema.js';

type Mode = 'always' | 'madvise' | 'never';

const SETTINGS = ['enabled', 'defrag'] as const;
const sysfsPath = (name: string) => `/sys/kernel/mm/transparent_hugepage/${name}`;
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

function wanted(args: ThpArgs): { name: string; path: string; value: Mode }[] {
  return SETTINGS.filter((n) => args[n] !== undefined).map((n) => ({ name: n, path: sysfsPath(n), value: args[n] as Mode }));
}

function bootFiles(ctx: PlanContext, args: ThpArgs): BootFiles {
  return renderBootFiles(ctx, THP_BOOT_UNIT, { thpRules: wanted(args) });
}

function legacyRemoval(facts: Facts): Change[] {
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

function liveValue(facts: Facts, path: string): string | null {
  return bracketed(facts.file(path));
}

const thp: Module<ThpArgs> = {
  name: 'thp',
  handlers: [daemonReload],
  schema,

  needs(args) {
    return [
      ...wanted(args).map((w) => ({ kind: 'file' as const, path: w.path })),
      ...bootNeeds(THP_BOOT_UNIT),
      { kind: 'file', path: LEGACY_TMPFILES },
      { kind: 'stat', path: LEGACY_TMPFILES },
      { kind: 'host' },
    ];
  },

  diff(facts, args, ctx) {
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
  },

  inspect(facts, args, ctx) {
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
  },
};

export default thp;
