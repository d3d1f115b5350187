// Port changes -> Redis write plans (pure data), following the SONiC schema:
// STATE_DB (db 6, separator '|') PORT_TABLE|<name>.
import { isPortName, stateDbFields, type PortState } from './port.js';
import type { Changes } from './tracker.js';

export type WriteOp = { cmd: 'hset'; key: string; fields: Record<string, string> } | { cmd: 'del'; key: string };

export const STATE_PORT_PREFIX = 'PORT_TABLE|';

export function statePortKey(name: string): string {
  return STATE_PORT_PREFIX + name;
}

export function planChanges(changes: Changes): WriteOp[] {
  const ops: WriteOp[] = [];
  for (const [name, state] of changes) {
    ops.push(state ? { cmd: 'hset', key: statePortKey(name), fields: stateDbFields(state) } : { cmd: 'del', key: statePortKey(name) });
  }
  return ops;
}

/**
 * Makes STATE_DB equal the model: every port written, and every port key the
 * model lacks deleted. Keys of other tables and non-port names are left alone.
 */
export function planReconcile(model: ReadonlyMap<string, PortState>, existingKeys: Iterable<string>): WriteOp[] {
  const ops: WriteOp[] = [];
  for (const key of existingKeys) {
    if (!key.startsWith(STATE_PORT_PREFIX)) continue;
    const name = key.slice(STATE_PORT_PREFIX.length);
    if (isPortName(name) && !model.has(name)) ops.push({ cmd: 'del', key });
  }
  for (const p of model.values()) ops.push({ cmd: 'hset', key: statePortKey(p.name), fields: stateDbFields(p) });
  return ops;
}
