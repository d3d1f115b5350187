// ansible.posix.sysctl's arguments (name, value, state, sysctl_file, sysctl_set, reload,
// ignoreerrors) with its file semantics: the key's line is edited and the rest of the file kept,
// line for line as Ansible rewrites it, so both tools leave the same bytes. The kernel-aware check
// and the live before -> after diff stay this tool's own.
import type { Facts, FactQuery } from '../../src/facts/types.js';
import type { Change, Op, PlanContext } from '../../src/module.js';
import { sameValue } from '../_shared/normalize.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { parseSysctlConf } from './conf-file.js';
import { absentKeyHints } from './known-absent.js';
import { absentMessage, isAbsent } from './settings.js';
import { kernelKeyQueries, kernelKeys } from './kernel-keys.js';
import type { AnsibleSysctlArgs } from './schema.js';

const TRUE = new Set(['yes', 'on', '1', 'true', 'y', 't']);
const FALSE = new Set(['no', 'off', '0', 'false', 'n', 'f']);

/** The value as Ansible writes it: booleans as 1/0, strings trimmed. */
export function ansibleValue(v: AnsibleSysctlArgs['value']): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  if (TRUE.has(v.toLowerCase())) return '1';
  if (FALSE.has(v.toLowerCase())) return '0';
  return v.trim();
}

/** Ansible's rewrite: comments, blank and `=`-less lines kept; every other key line becomes
 *  `key=value`, a key's later duplicates dropped; the managed key replaced or appended. */
export function fixLines(content: string, name: string, value: string, present: boolean): string {
  const lines = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';') || !line.includes('=')) {
      out.push(line);
      continue;
    }
    const at = t.indexOf('=');
    const k = t.slice(0, at).trim();
    const v = t.slice(at + 1).trim();
    if (seen.has(k)) continue;
    seen.add(k);
    if (k !== name) out.push(`${k}=${v}\n`);
    else if (present) out.push(`${k}=${value}\n`);
  }
  if (!seen.has(name) && present) out.push(`${name}=${value}\n`);
  return out.join('');
}

export function ansibleNeeds(args: AnsibleSysctlArgs, ctx: PlanContext): FactQuery[] {
  return [
    { kind: 'file', path: args.sysctl_file },
    { kind: 'sysctl', key: args.name },
    ...(args.state === 'present' ? kernelKeyQueries([args.name], ctx) : []),
  ];
}

export function ansibleDiff(facts: Facts, args: AnsibleSysctlArgs, ctx: PlanContext): Change[] {
  const present = args.state === 'present';
  const kernel = present ? kernelKeys(facts, [args.name], ctx) : undefined;
  if (present && isAbsent(kernel, args.name, ctx)) {
    const message = absentMessage(kernel, args.name);
    if (!args.ignoreerrors) {
      const why = absentKeyHints[args.name];
      ctx.error(
        message,
        ['name'],
        `${why ? `${why}; ` : ''}remove the task, or set ignoreerrors: true to leave the key out where the kernel lacks it`,
      );
    } else ctx.warn(`${message}; left alone (ignoreerrors)`);
    return [];
  }
  const value = ansibleValue(args.value);
  const before = facts.file(args.sysctl_file);
  const after = fixLines(before ?? '', args.name, value, present);
  const fileChanged = before === null ? present : before !== after;
  // sysctl_set compares and writes the running value; reload applies the file when it changed.
  const live = present && !ctx.offline && (args.sysctl_set || (args.reload && fileChanged)) ? facts.sysctl(args.name) : null;
  const liveDrift = live !== null && !sameValue(live, value) ? `${args.name}: ${live.trim().replace(/\s+/g, ' ')} -> ${value}` : undefined;
  if (!fileChanged && !(args.sysctl_set && liveDrift)) return [];

  const ops: Op[] = [];
  // A new file gets 0644 as Ansible's atomic move gives it; an existing one keeps its mode.
  if (fileChanged) ops.push({ kind: 'put', path: args.sysctl_file, content: after, ...(before === null ? { mode: '0644' } : {}) });
  if (present && args.sysctl_set && (liveDrift || (ctx.offline && fileChanged))) {
    ops.push({
      kind: 'exec',
      argv: ['sysctl', '-w', `${args.name}=${value}`],
      live: true,
      strictStderr: true,
      effects: [{ kind: 'sysctl', key: args.name, value }],
    });
  }
  if (args.reload && fileChanged) {
    // sysctl -p loads every key of the file.
    const effects = parseSysctlConf(after).map((e) => ({ kind: 'sysctl' as const, key: e.key, value: e.value }));
    ops.push({ kind: 'exec', argv: ['sysctl', ...(args.ignoreerrors ? ['-e'] : []), '-p', args.sysctl_file], live: true, effects });
  }
  const summary = [fileChanged ? `${before === null ? 'create' : 'update'} ${args.sysctl_file}` : '', liveDrift ?? '']
    .filter(Boolean)
    .join('; ');
  const diff = (fileChanged ? unifiedDiff(args.sysctl_file, before, after) : '') + (liveDrift ? `live ${liveDrift}\n` : '');
  return [{ summary, diff, ops }];
}
