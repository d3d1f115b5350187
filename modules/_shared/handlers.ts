// The handlers several modules notify, declared once with their run order. A module lists the
// ones its changes notify (`handlers: [daemonReload]`), so removing one module never leaves
// another notifying a key that nothing provides.
import type { ModuleHandler, Op } from '../../src/module.js';

/** Run order of module handlers: unit files are reloaded before any service restarts on them. */
export const HANDLER_ORDER = { reloadUnits: 10, restartServices: 20 } as const;

const DAEMON_RELOAD_ARGV = ['systemctl', 'daemon-reload'];

/**
 * A systemctl command as an op, with its part in the one daemon-reload the apply script shares
 * (`SharedReload`): enable, disable, mask and unmask skip the reload they would make and owe it
 * instead, so a script that also reloads (the handler) reloads once; start, stop, restart and
 * reload change no unit file.
 */
export function systemctlOp(verb: string, unit?: string): Extract<Op, { kind: 'exec' }> {
  if (verb === 'daemon-reload')
    return { kind: 'exec', argv: DAEMON_RELOAD_ARGV, live: true, reload: { argv: DAEMON_RELOAD_ARGV, role: 'is' } };
  const owes = ['enable', 'disable', 'mask', 'unmask'].includes(verb);
  return {
    kind: 'exec',
    argv: ['systemctl', ...(owes ? ['--no-reload'] : []), verb, ...(unit === undefined ? [] : [unit])],
    live: true,
    reload: { argv: DAEMON_RELOAD_ARGV, role: owes ? 'owes' : 'keeps' },
  };
}

export const daemonReload: ModuleHandler = {
  key: 'systemd daemon-reload',
  summary: 'systemctl daemon-reload',
  ops: [systemctlOp('daemon-reload')],
  order: HANDLER_ORDER.reloadUnits,
};

export const DAEMON_RELOAD = daemonReload.key;
