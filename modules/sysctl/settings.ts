// Which requested keys the target kernel has, and what happens to the ones it lacks.
import type { Facts } from '../../src/facts/types.js';
import type { PlanContext } from '../../src/module.js';
import { collapseWhitespace } from '../_shared/normalize.js';
import { closest } from '../_shared/suggest.js';
import { absentKeyHints } from './known-absent.js';
import type { SysctlArgs } from './schema.js';

export interface Setting {
  key: string;
  /** As written to the file and to `sysctl -w`: whitespace collapsed. */
  value: string;
}

/**
 * Whether the kernel lacks `key`. A null live value alone is not enough: write-only keys read as
 * null too, and an offline root without a key list cannot tell.
 */
export function isAbsent(facts: Facts, key: string, ctx: PlanContext): boolean {
  if (facts.sysctl(key) !== null) return false;
  const known = facts.host.sysctlKeys;
  return known.length > 0 ? !known.includes(key) : !ctx.offline;
}

function absentHint(facts: Facts, key: string): string {
  const parent = key.slice(0, key.lastIndexOf('.') + 1);
  const siblings = facts.host.sysctlKeys.filter((k) => k.startsWith(parent) && !k.slice(parent.length).includes('.'));
  const near = closest(key.slice(parent.length), siblings.map((k) => k.slice(parent.length)));
  const why = absentKeyHints[key] ?? (near ? `did you mean ${parent}${near}?` : undefined);
  const how = 'remove it from the settings, or set `missing: warn` (or `skip`) to leave it out where the kernel lacks it';
  return why ? `${why}; ${how}` : how;
}

/** The settings to manage on this host, in the order given. Absent keys are reported per `missing`. */
export function effectiveSettings(facts: Facts, args: SysctlArgs, ctx: PlanContext): Setting[] {
  const settings: Setting[] = [];
  for (const [key, raw] of Object.entries(args.settings ?? {})) {
    if (isAbsent(facts, key, ctx)) {
      const message = `sysctl key ${key} does not exist on this kernel${facts.host.kernel ? ` (${facts.host.kernel})` : ''}`;
      if (args.missing === 'fail') ctx.error(message, ['settings', key], absentHint(facts, key));
      else if (args.missing === 'warn') ctx.warn(`${message}; left out of ${args.file}`);
      continue;
    }
    settings.push({ key, value: collapseWhitespace(raw) });
  }
  return settings;
}
