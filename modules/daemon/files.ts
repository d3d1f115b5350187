// The daemon's managed files: its config (YAML), its unit, and the optional tuning drop-in.
import { stringify } from 'yaml';
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { fileChange } from '../_shared/file-change.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { DAEMON_RELOAD } from '../_shared/handlers.js';
import type { DaemonArgs } from './schema.js';
import { dropinPath, unitPath } from './layout.js';
import { RESTART } from './release.js';

export const UNIT = 'portsyncd.service';
export const UNIT_TEMPLATE = 'daemon/portsyncd.service.hbs';
export const WANTS_LINK = `/etc/systemd/system/multi-user.target.wants/${UNIT}`;

const header = (ctx: PlanContext) =>
  `# Managed by portsync-deploy (task: ${ctx.taskName ?? 'daemon'}). Do not edit: changes are overwritten on the next run.\n`;

const owned = { mode: '0644', owner: 'root', group: 'root' };
/** The config may carry the Redis password: root only (the daemon runs as root). */
const ownedSecret = { ...owned, mode: '0600' };

export function configContent(args: DaemonArgs, ctx: PlanContext): string {
  const body = Object.keys(args.config).length ? stringify(args.config, { lineWidth: 0 }) : '{}\n';
  return header(ctx) + body;
}

export function configChange(facts: Facts, args: DaemonArgs, ctx: PlanContext): Change | null {
  const c = fileChange(facts, { path: args.config_path, content: configContent(args, ctx), ...ownedSecret });
  return c && { ...c, notify: [RESTART] };
}

export function unitContent(args: DaemonArgs, ctx: PlanContext): string {
  return ctx.render(UNIT_TEMPLATE, {
    managed_by: 'portsync-deploy',
    task_name: ctx.taskName ?? 'daemon',
    prefix: args.prefix,
    config_path: args.config_path,
    description: args.unit.description,
    after: args.unit.after.join(' '),
    watchdog_sec: args.unit.watchdog_sec,
    restart_sec: args.unit.restart_sec,
    timeout_start_sec: args.unit.timeout_start_sec,
  });
}

export function unitChange(facts: Facts, args: DaemonArgs, ctx: PlanContext): Change | null {
  const c = fileChange(facts, { path: unitPath(UNIT), content: unitContent(args, ctx), ...owned });
  return c && { ...c, notify: [DAEMON_RELOAD, RESTART] };
}

export function tuningContent(tuning: Record<string, string | number>, ctx: PlanContext): string {
  const lines = Object.entries(tuning).map(([k, v]) => `${k}=${v}\n`);
  return `${header(ctx)}[Service]\n${lines.join('')}`;
}

/** null tuning: the drop-in is someone else's (daemon_scheduling); {} removes it. */
export function tuningChange(facts: Facts, args: DaemonArgs, ctx: PlanContext): Change | null {
  if (args.tuning === null) return null;
  const path = dropinPath(UNIT, args.tuning_dropin);
  const notify = [DAEMON_RELOAD, RESTART];
  if (Object.keys(args.tuning).length === 0) {
    const before = facts.file(path);
    if (before === null && !facts.stat(path)) return null;
    return { summary: `remove ${path}`, diff: unifiedDiff(path, before, null), ops: [{ kind: 'remove', path }], notify };
  }
  const c = fileChange(facts, { path, content: tuningContent(args.tuning, ctx), ...owned });
  return c && { ...c, notify };
}

/** Enabled through the wants/ link, which also works on an offline root. */
export function enableChange(facts: Facts): Change | null {
  if (facts.stat(WANTS_LINK)?.type === 'link') return null;
  return { summary: `enable ${UNIT}`, ops: [{ kind: 'symlink', path: WANTS_LINK, target: unitPath(UNIT) }] };
}
