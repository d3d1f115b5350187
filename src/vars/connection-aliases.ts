// Ansible's connection variables are accepted as aliases of the tool's own names. Within one
// layer the tool's name wins when both are set; both keys stay visible (inventory --host).
import type { Vars } from '../playbook/types.js';
import { posOf, recordPos } from '../source-map.js';
import { copyContainer } from '../render/expr-template.js';

export const CONNECTION_ALIASES: Record<string, string> = {
  ansible_host: 'host',
  ansible_ssh_host: 'host',
  ansible_port: 'port',
  ansible_ssh_port: 'port',
  ansible_user: 'user',
  ansible_ssh_user: 'user',
  ansible_ssh_private_key_file: 'private_key_file',
  ansible_private_key_file: 'private_key_file',
  ansible_connection: 'connection',
};

const cache = new WeakMap<Vars, Vars>();

/** The layer with the tool's names filled in from their Ansible aliases (the same object if none). */
export function withConnectionAliases(layer: Vars): Vars {
  const known = cache.get(layer);
  if (known) return known;
  let out = layer;
  for (const [alias, name] of Object.entries(CONNECTION_ALIASES)) {
    if (!(alias in layer) || name in out) continue;
    if (out === layer) out = copyContainer(layer);
    out[name] = layer[alias];
    const p = posOf(layer, alias);
    if (p) recordPos(out, name, p);
  }
  cache.set(layer, out);
  return out;
}
