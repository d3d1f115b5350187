// Multi-ASIC switches: one portsyncd@<asic> per ASIC namespace (the `asics` arg), each in its
// network namespace with a config naming it (sonic_namespace), from the template unit
// portsyncd@.service. The namespaces must be those SONiC's database_global.json lists.
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { fileChange } from '../_shared/file-change.js';
import { DAEMON_RELOAD } from '../_shared/handlers.js';
import { configContent } from './files.js';
import { unitPath } from './layout.js';
import { RESTART } from './release.js';
import type { DaemonArgs } from './schema.js';

export const TEMPLATE_UNIT = 'portsyncd@.service';
export const TEMPLATE_UNIT_HBS = 'daemon/portsyncd@.service.hbs';
export const DATABASE_GLOBAL = '/var/run/redis/sonic-db/database_global.json';
const owned = { mode: '0644', owner: 'root', group: 'root' };
/** An instance's config carries portsyncd_config, Redis password included: root only, as the main one. */
const ownedSecret = { ...owned, mode: '0600' };

export const instanceUnit = (asic: string) => `portsyncd@${asic}.service`;
export const instanceWantsLink = (asic: string) => `/etc/systemd/system/multi-user.target.wants/${instanceUnit(asic)}`;
/** /etc/portsyncd/portsyncd.yaml -> /etc/portsyncd/portsyncd-asic0.yaml */
export function instanceConfigPath(configPath: string, asic: string): string {
  const m = /^(.*?)(\.ya?ml)?$/.exec(configPath)!;
  return `${m[1]}-${asic}${m[2] ?? ''}`;
}
/** The template's ExecStart config path, with systemd's %i for the instance. */
const templateConfigPath = (configPath: string) => instanceConfigPath(configPath, '%i');

/** The namespaces database_global.json lists, or an error text. */
export function globalNamespaces(text: string | null): string[] | string {
  if (text === null) return `${DATABASE_GLOBAL} is missing: the switch is not multi-ASIC`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `${DATABASE_GLOBAL} is not valid JSON: ${(e as Error).message}`;
  }
  const includes = (doc as { INCLUDES?: unknown }).INCLUDES;
  if (!Array.isArray(includes)) return `${DATABASE_GLOBAL} has no INCLUDES list`;
  return includes.map((e) => (e as { namespace?: unknown })?.namespace).filter((n): n is string => typeof n === 'string' && n !== '');
}

export function instanceFiles(args: DaemonArgs): string[] {
  if (args.asics.length === 0) return [];
  return [unitPath(TEMPLATE_UNIT), ...args.asics.map((a) => instanceConfigPath(args.config_path, a))];
}

export function asicChanges(facts: Facts, args: DaemonArgs, ctx: PlanContext): Change[] {
  if (args.asics.length === 0) return [];
  const listed = globalNamespaces(facts.file(DATABASE_GLOBAL));
  const unknown = typeof listed === 'string' ? args.asics : args.asics.filter((a) => !listed.includes(a));
  if (unknown.length > 0) {
    const why = typeof listed === 'string' ? listed : `it lists ${listed.join(', ') || 'no namespace'}`;
    ctx.error(
      `asics: ${unknown.join(', ')} not in the switch's database_global.json (${why})`,
      ['asics'],
      'set asics: to the namespaces of this switch, or [] for a single-ASIC switch',
    );
    return [];
  }
  const unit = ctx.render(TEMPLATE_UNIT_HBS, {
    managed_by: 'portsync-deploy',
    task_name: ctx.taskName ?? 'daemon',
    prefix: args.prefix,
    instance_config_path: templateConfigPath(args.config_path),
    description: args.unit.description,
    after: args.unit.after.join(' '),
    watchdog_sec: args.unit.watchdog_sec,
    restart_sec: args.unit.restart_sec,
    timeout_start_sec: args.unit.timeout_start_sec,
  });
  const changes: Array<Change | null> = [];
  const u = fileChange(facts, { path: unitPath(TEMPLATE_UNIT), content: unit, ...owned });
  changes.push(u && { ...u, notify: [DAEMON_RELOAD, RESTART] });
  for (const asic of args.asics) {
    // Each instance: its namespace, and a state file of its own.
    const config = { ...args.config, sonic_namespace: asic, state_file: `/var/lib/portsyncd/state-${asic}.json` };
    const c = fileChange(facts, {
      path: instanceConfigPath(args.config_path, asic),
      content: configContent({ ...args, config }, ctx),
      ...ownedSecret,
    });
    changes.push(c && { ...c, notify: [RESTART] });
    if (facts.stat(instanceWantsLink(asic))?.type !== 'link') {
      changes.push({
        summary: `enable ${instanceUnit(asic)}`,
        ops: [{ kind: 'symlink', path: instanceWantsLink(asic), target: unitPath(TEMPLATE_UNIT) }],
        notify: [RESTART],
      });
    }
  }
  return changes.filter((c): c is Change => c !== null);
}
