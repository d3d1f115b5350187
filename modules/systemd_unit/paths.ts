// Where a unit's files live on the target.
import type { SystemdUnitArgs } from './schema.js';

export const ADMIN_UNIT_DIR = '/etc/systemd/system';
/** systemd's unit search path, highest priority first (Debian keeps packaged units in /lib). */
export const UNIT_DIRS = [
  ADMIN_UNIT_DIR,
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];
export const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'];

/** The file this task manages: the unit file itself or one drop-in. */
export function managedPath(args: SystemdUnitArgs): string {
  return args.dropin !== undefined
    ? `${ADMIN_UNIT_DIR}/${args.name}.d/${args.dropin.replace(/\.conf$/, '')}.conf`
    : `${ADMIN_UNIT_DIR}/${args.name}`;
}

export function unitFileCandidates(name: string): string[] {
  return UNIT_DIRS.map((dir) => `${dir}/${name}`);
}
