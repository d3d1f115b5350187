// The handlers several modules notify, declared once with their run order. A module lists the
// ones its changes notify (`handlers: [daemonReload]`), so removing one module never leaves
// another notifying a key that nothing provides.
import type { ModuleHandler } from '../../src/module.js';

/** Run order of module handlers: unit files are reloaded before any service restarts on them. */
export const HANDLER_ORDER = { reloadUnits: 10, restartServices: 20 } as const;

export const daemonReload: ModuleHandler = {
  key: 'systemd daemon-reload',
  summary: 'systemctl daemon-reload',
  ops: [{ kind: 'exec', argv: ['systemctl', 'daemon-reload'], live: true }],
  order: HANDLER_ORDER.reloadUnits,
};

export const DAEMON_RELOAD = daemonReload.key;
