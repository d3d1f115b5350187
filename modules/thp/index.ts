// thp: transparent huge pages (enabled, defrag). Written live to sysfs and persisted as a
// tmpfiles.d `w` entry, which systemd-tmpfiles-setup.service writes again at every boot.
import type { Change, Module, SettingState } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { fileChange } from '../_shared/file-change.js';
import { liveWriteOp } from '../_tuning/live-write.js';

type Mode = 'always' | 'madvise' | 'never';

export interface ThpArgs {
  enabled?: Mode;
  defrag?: Mode;
}

const SETTINGS = ['enabled', 'defrag'] as const;
const sysfsPath = (name: string) => `/sys/kernel/mm/transparent_hugepage/${name}`;
export const THP_TMPFILES = '/etc/tmpfiles.d/portsyncd-thp.conf';

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

/** The value a tmpfiles.d file writes to `path` at boot, or null. */
function persistedValue(conf: string | null, path: string): string | null {
  for (const line of (conf ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'w' && f[1] === path) return f.slice(6).join(' ') || null;
  }
  return null;
}

function liveValue(facts: Facts, path: string): string | null {
  return bracketed(facts.file(path));
}

const thp: Module<ThpArgs> = {
  name: 'thp',
  schema: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      enabled: { enum: ['always', 'madvise', 'never'] },
      defrag: { enum: ['always', 'madvise', 'never'] },
    },
  },

  needs(args) {
    return [
      ...wanted(args).map((w) => ({ kind: 'file' as const, path: w.path })),
      { kind: 'file', path: THP_TMPFILES },
      { kind: 'stat', path: THP_TMPFILES },
    ];
  },

  diff(facts, args, ctx) {
    const changes: Change[] = [];
    for (const w of wanted(args)) {
      if (ctx.offline) continue;
      const text = facts.file(w.path);
      if (text === null) {
        ctx.error(`host ${ctx.hostName}: ${w.path} does not exist (kernel ${facts.host.kernel || 'unknown'} has no transparent huge pages)`,
          [w.name], 'remove the thp task for this host');
        continue;
      }
      const current = bracketed(text);
      if (current === w.value) continue;
      if (!text.split(/\s+/).some((word) => word.replace(/^\[|\]$/g, '') === w.value)) {
        ctx.error(`host ${ctx.hostName}: ${w.path} does not offer "${w.value}" (offers: ${text.trim()})`, [w.name]);
        continue;
      }
      changes.push({
        summary: `THP ${w.name}: ${current ?? '?'} -> ${w.value}`,
        diff: `${w.path}: ${current ?? '?'} -> ${w.value}\n`,
        ops: [liveWriteOp([{ path: w.path, value: w.value }])],
      });
    }
    const conf = ctx.render('tuning/thp-tmpfiles.conf.hbs', { settings: wanted(args) });
    const file = fileChange(facts, { path: THP_TMPFILES, content: conf, mode: '0644', owner: 'root', group: 'root' });
    return file ? [...changes, file] : changes;
  },

  inspect(facts, args, ctx) {
    const conf = facts.file(THP_TMPFILES);
    return wanted(args).map((w): SettingState => {
      const live = ctx.offline ? undefined : liveValue(facts, w.path);
      const persisted = persistedValue(conf, w.path);
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
