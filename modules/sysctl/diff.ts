// Plan for the sysctl module: the file and the running kernel, in one all-or-nothing change so a
// live write the kernel refuses restores the file it came with.
import type { Facts } from '../../src/facts/types.js';
import type { Change, Op, PlanContext } from '../../src/module.js';
import { sameValue } from '../_shared/normalize.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { parseSysctlConf } from './conf-file.js';
import { overrides, placement } from './load-order.js';
import { renderConf } from './render.js';
import type { SysctlArgs } from './schema.js';
import { effectiveSettings, type Setting } from './settings.js';

interface LiveDrift {
  key: string;
  before: string;
  after: string;
}

function setOp(s: Setting): Op {
  return {
    kind: 'exec',
    argv: ['sysctl', '-w', `${s.key}=${s.value}`],
    live: true,
    strictStderr: true,
    effects: [{ kind: 'sysctl', key: s.key, value: s.value }],
  };
}

/** Keys whose running value differs; null values (write-only keys) cannot be compared and are left alone. */
function liveDrift(facts: Facts, settings: Setting[], ctx: PlanContext): LiveDrift[] {
  const drift: LiveDrift[] = [];
  for (const s of settings) {
    const live = facts.sysctl(s.key);
    if (live === null) ctx.warn(`${s.key} cannot be read on this host; its live value is not managed`);
    else if (!sameValue(live, s.value)) drift.push({ key: s.key, before: live.trim().replace(/\s+/g, ' '), after: s.value });
  }
  return drift;
}

/** Offline roots have no running kernel: the live writes for keys whose persisted value changes are planned and reported as skipped. */
function offlineWrites(before: string | null, settings: Setting[]): Setting[] {
  const persisted = new Map(parseSysctlConf(before ?? '').map((e) => [e.key, e.value]));
  return settings.filter((s) => !persisted.has(s.key) || !sameValue(persisted.get(s.key)!, s.value));
}

function warnAboutLoadOrder(facts: Facts, args: SysctlArgs, settings: Setting[], ctx: PlanContext): void {
  const place = placement(facts, args.file);
  if (place.kind === 'not-loaded') {
    ctx.warn(`${args.file} is not in a sysctl.d directory, so it is not loaded at boot`);
    return;
  }
  if (place.kind === 'shadowed') {
    ctx.warn(`${place.by} has the same name as ${args.file} and shadows it at boot`);
    return;
  }
  const wanted = new Map(settings.map((s) => [s.key, s.value]));
  for (const o of overrides(place.later, wanted)) {
    ctx.warn(`${o.path}:${o.line} sets ${o.key} = ${o.value}, which loads after ${args.file} and overrides ${wanted.get(o.key)} at boot`);
  }
}

function removeFile(facts: Facts, args: SysctlArgs): Change[] {
  const before = facts.file(args.file);
  if (before === null) return [];
  return [
    {
      summary: `remove ${args.file} (live values stay until reboot)`,
      diff: unifiedDiff(args.file, before, null),
      ops: [{ kind: 'remove', path: args.file }],
    },
  ];
}

export function sysctlDiff(facts: Facts, args: SysctlArgs, ctx: PlanContext): Change[] {
  if (args.state === 'absent') return removeFile(facts, args);
  const settings = effectiveSettings(facts, args, ctx);
  warnAboutLoadOrder(facts, args, settings, ctx);

  const before = facts.file(args.file);
  const content = renderConf(ctx, settings);
  const fileChanged = before !== content;
  const drift = args.apply_live && !ctx.offline ? liveDrift(facts, settings, ctx) : [];
  const writes = args.apply_live && ctx.offline && fileChanged ? offlineWrites(before, settings) : [];
  if (!fileChanged && drift.length === 0) return [];

  const ops: Op[] = [];
  if (fileChanged) ops.push({ kind: 'put', path: args.file, content, mode: '0644' });
  const wantedByKey = new Map(settings.map((s) => [s.key, s]));
  ops.push(...drift.map((d) => setOp(wantedByKey.get(d.key)!)), ...writes.map(setOp));

  const liveLines = drift.map((d) => `${d.key}: ${d.before} -> ${d.after}`);
  const summary = [fileChanged ? `${before === null ? 'create' : 'update'} ${args.file}` : '', ...liveLines].filter(Boolean);
  const diff = (fileChanged ? unifiedDiff(args.file, before, content) : '') + liveLines.map((l) => `live ${l}\n`).join('');
  return [{ summary: summary.join('; '), diff, ops }];
}
