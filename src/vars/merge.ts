// Variable layers merge by replacement (like Ansible's default hash_behaviour=replace): a key set
// in a higher layer replaces the whole value, dicts included. Positions travel with the keys.
import type { Vars } from '../playbook/types.js';
import { takePositions } from '../source-map.js';
import { copyUnsafeKeys } from '../raw-data.js';

export function assignWithPos(target: Vars, src: Vars): Vars {
  for (const key of Object.keys(src)) target[key] = src[key];
  copyUnsafeKeys(src, target);
  takePositions(target, src);
  return target;
}

export function isMapping(v: unknown): v is Vars {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A new variable set: `base` (positions and marks kept) with `more` on top. */
export function withVars(base: Vars, more: Vars): Vars {
  // A spread copies a host's variables in one step (a copy is made per render); then as assignWithPos.
  const out = { ...base };
  copyUnsafeKeys(base, out);
  takePositions(out, base);
  return assignWithPos(out, more);
}
