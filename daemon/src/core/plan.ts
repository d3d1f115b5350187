// Port changes -> Redis write plans (pure data), following the SONiC schema:
// STATE_DB (db 6, separator '|') PORT_TABLE|<name>.
import { isPortName, stateDbFields, type PortState } from './port.js';

export type WriteOp = { cmd: 'hset'; key: string; fields: Record<string, string> } | { cmd: 'del'; key: string };

export const STATE_PORT_PREFIX = 'PORT_TABLE|';

export function statePortKey(name: string): string {
  return STATE_PORT_PREFIX + name;
}

/** Several port updates in one command: see WRITE_PORTS_LUA. */
export interface ScriptWrite {
  cmd: 'script';
  keys: string[];
  argv: string[];
}

/**
 * One Redis command for a batch of port changes: a plain HSET or DEL for a
 * single port (the common case when events trickle in), else one script call.
 */
export function planPortWrite(batch: ReadonlyMap<string, { state: PortState | null }>): WriteOp | ScriptWrite {
  if (batch.size === 1) {
    const [name, { state }] = batch.entries().next().value as [string, { state: PortState | null }];
    return state ? { cmd: 'hset', key: statePortKey(name), fields: stateDbFields(state) } : { cmd: 'del', key: statePortKey(name) };
  }
  const keys: string[] = [];
  const argv: string[] = [];
  for (const [name, { state }] of batch) {
    keys.push(statePortKey(name));
    if (state) argv.push(state.oper ? 'up' : 'down', state.admin ? 'up' : 'down', String(state.mtu));
    else argv.push('', '', '');
  }
  return { cmd: 'script', keys, argv };
}

/**
 * KEYS[i] = PORT_TABLE|<name>; ARGV[3i-2..3i] = oper, admin, mtu (the
 * STATE_DB fields of stateDbFields); an empty mtu deletes the key.
 */
export const WRITE_PORTS_LUA = `
for i = 1, #KEYS do
  local a = 3 * i
  if ARGV[a] == '' then
    redis.call('DEL', KEYS[i])
  else
    redis.call('HSET', KEYS[i], 'state', 'ok', 'netdev_oper_status', ARGV[a - 2], 'admin_status', ARGV[a - 1], 'mtu', ARGV[a])
  end
end
return #KEYS
`;

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
