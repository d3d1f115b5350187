// A YAML file's inline `!vault` values between its parse and their opening. A parse leaves each
// as its ciphertext and notes where it put it; the parse is kept between runs in that state
// (yaml-cache.ts), so that no kept parse holds a plaintext, and the values are opened after.
import type { Problem } from '../errors.js';
import { ValidationError } from '../errors.js';
import type { SourcePos } from '../module.js';
import { openVault } from '../vault/keyring.js';

/** Per container, each key that holds a vault text and where that value was written, in the
 *  order they were placed. */
export type SealedValues = Map<object, Map<string | number, SourcePos>>;

/** Notes that `container[key]` holds the vault text of the value written at `pos`. */
export function seal(sealed: SealedValues, container: object, key: string | number, pos: SourcePos): void {
  let keys = sealed.get(container);
  if (!keys) sealed.set(container, (keys = new Map()));
  keys.set(key, pos);
}

/** Puts each value's plaintext in its place (tracked as a secret). A value that does not open
 *  becomes undefined and one problem at its position (merged and aliased copies share it), in
 *  the order of the file. */
export function openSealed(sealed: SealedValues): Problem[] {
  const failed = new Map<string, Problem[]>();
  for (const [container, keys] of sealed) {
    const slots = container as Record<string | number, unknown>;
    for (const [key, pos] of keys) {
      try {
        slots[key] = openVault(String(slots[key]), pos);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        failed.set(`${pos.line}:${pos.col}`, e.problems);
        slots[key] = undefined;
      }
    }
  }
  const line = (p: Problem) => p.pos?.line ?? 0;
  const col = (p: Problem) => p.pos?.col ?? 0;
  return [...failed.values()].flat().sort((a, b) => line(a) - line(b) || col(a) - col(b));
}
