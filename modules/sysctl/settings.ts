// Which requested keys the target kernel has, and what happens to the ones it lacks.
import type { Facts } from '../../src/facts/types.js';
import type { PlanContext } from '../../src/module.js';
import { collapseWhitespace } from '../_shared/normalize.js';
import { closest } from '../_shared/suggest.js';
import { readFileSync } from 'node:fs';
import { absentKeyHints, neverInLinux } from './known-absent.js';
import type { SysctlArgs } from './schema.js';
import { kernelKeys, type KernelKeys } from './kernel-keys.js';

export interface Setting {
  key: string;
  /** As written to the file and to `sysctl -w`: whitespace collapsed. */
  value: string;
}

/**
 * Whether the kernel lacks `key`. A null live value alone is not enough: write-only keys read as
 * null too, and an offline root without a key list cannot tell.
 */
export function isAbsent(kernel: KernelKeys | undefined, key: string, ctx: PlanContext): boolean {
  if (neverInLinux.has(key)) return true;
  if (kernel) return kernel.absent.has(key);
  const known = listedKeys(ctx);
  return known ? !known.includes(key) : false;
}

const keyFiles = new Map<string, string[] | Error>();

/** The key list the inventory names for an offline root (`sysctl_keys_file`: the target image's
 *  `sysctl -a` or `sysctl -aN` output); undefined without one. */
function listedKeys(ctx: PlanContext): string[] | undefined {
  const file = ctx.vars.sysctl_keys_file;
  if (typeof file !== 'string' || !file) return undefined;
  let keys = keyFiles.get(file);
  if (!keys) {
    try {
      keys = readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.split('=')[0]!.trim())
        .filter(Boolean);
    } catch (err) {
      keys = err instanceof Error ? err : new Error(String(err));
    }
    keyFiles.set(file, keys);
  }
  if (keys instanceof Error) {
    ctx.error(
      `cannot read sysctl_keys_file ${file}: ${keys.message}`,
      undefined,
      "point sysctl_keys_file at the target image's `sysctl -aN` output",
    );
    return [];
  }
  return keys;
}

/** Keys reported before any host is read: those no Linux kernel has. */
export function neverValidKeys(args: SysctlArgs, ctx: PlanContext): void {
  if (args.state === 'absent' || args.missing !== 'fail') return;
  for (const key of Object.keys(args.settings ?? {})) {
    if (neverInLinux.has(key))
      ctx.error(`sysctl key ${key} does not exist on this kernel (nor on any Linux)`, ['settings', key], absentHintText(key));
  }
}

function absentHintText(key: string): string {
  return `${absentKeyHints[key]}; remove it from the settings, or set \`missing: warn\` (or \`skip\`) to leave it out where the kernel lacks it`;
}

function absentHint(kernel: KernelKeys | undefined, key: string): string {
  const parent = key.slice(0, key.lastIndexOf('.') + 1);
  const near = closest(key.slice(parent.length), kernel?.absent.get(key) ?? []);
  const why = absentKeyHints[key] ?? (near ? `did you mean ${parent}${near}?` : undefined);
  const how = 'remove it from the settings, or set `missing: warn` (or `skip`) to leave it out where the kernel lacks it';
  return why ? `${why}; ${how}` : how;
}

/** "sysctl key K does not exist on this kernel (RELEASE)". */
export function absentMessage(kernel: KernelKeys | undefined, key: string): string {
  return `sysctl key ${key} does not exist on this kernel${kernel?.release ? ` (${kernel.release})` : ''}`;
}

/** The settings to manage on this host, in the order given. Absent keys are reported per `missing`. */
export function effectiveSettings(facts: Facts, args: SysctlArgs, ctx: PlanContext): Setting[] {
  const settings: Setting[] = [];
  const unverified: string[] = [];
  const kernel = kernelKeys(facts, Object.keys(args.settings ?? {}), ctx);
  for (const [key, raw] of Object.entries(args.settings ?? {})) {
    // Already refused while the task was prepared.
    if (neverInLinux.has(key) && args.missing === 'fail') continue;
    if (isAbsent(kernel, key, ctx)) {
      const message = absentMessage(kernel, key);
      if (args.missing === 'fail') ctx.error(message, ['settings', key], absentHint(kernel, key));
      else if (args.missing === 'warn') ctx.warn(`${message}; left out of ${args.file}`);
      continue;
    }
    if (ctx.offline && !kernel && !listedKeys(ctx)) unverified.push(key);
    settings.push({ key, value: collapseWhitespace(raw) });
  }
  if (unverified.length) {
    ctx.warn(
      `could not verify that the target kernel has ${unverified.join(', ')}: the root is offline and names no key list (set sysctl_keys_file to its \`sysctl -aN\` output)`,
    );
  }
  return settings;
}
