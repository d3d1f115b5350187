// Source positions of loaded YAML values, kept beside the plain objects the engine passes around.
// Objects keep their identity through variable resolution, so a module's arg path can be traced
// back to the playbook or vars file:line:column it came from.
import type { SourcePos } from './module.js';

const positions = new WeakMap<object, Map<string | number, SourcePos>>();
const ownPositions = new WeakMap<object, SourcePos>();
/** Objects whose keys a container took over, oldest first: their positions are its own, looked up
 *  when asked instead of copied key by key (a host's variables are merged once per task). */
const layers = new WeakMap<object, object[]>();

export function recordPos(container: object, key: string | number, pos: SourcePos): void {
  let m = positions.get(container);
  if (!m) positions.set(container, (m = new Map()));
  m.set(key, pos);
}

export function recordOwnPos(value: object, pos: SourcePos): void {
  ownPositions.set(value, pos);
}

/** Position of `container[key]` (the key's position in the source). */
export function posOf(container: object, key: string | number): SourcePos | undefined {
  const own = positions.get(container)?.get(key);
  if (own) return own;
  const from = layers.get(container);
  if (!from) return undefined;
  for (let i = from.length - 1; i >= 0; i--) {
    const layer = from[i]!;
    if (!Object.hasOwn(layer, key)) continue;
    const p = posOf(layer, key);
    if (p) return p;
  }
  return undefined;
}

/**
 * `target` has just taken every key of `source`: a key's position becomes the one `source` has
 * for it, as recordPos would make it. A position recorded on `target` itself comes first, so a
 * target that already has some is given the source's positions key by key instead.
 */
export function takePositions(target: object, source: object): void {
  if (!positions.has(source) && !layers.has(source)) return;
  if (positions.has(target)) {
    for (const key of Object.keys(source)) {
      const p = posOf(source, key);
      if (p) recordPos(target, key, p);
    }
    return;
  }
  const from = layers.get(target);
  if (from) from.push(source);
  else layers.set(target, [source]);
}

/** Position where an object or array itself starts. */
export function ownPosOf(value: object): SourcePos | undefined {
  return ownPositions.get(value);
}

/** Walk `path` from `root` and return the deepest position found on the way. */
export function posAtPath(root: unknown, path: (string | number)[]): SourcePos | undefined {
  let best = root !== null && typeof root === 'object' ? ownPosOf(root) : undefined;
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') break;
    best = posOf(cur, key) ?? best;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return best;
}

/** A value's place in args or a document, as a user reads it: `sysctl.settings["net.core.x"]`, `plays[0].hosts`. */
export function formatPath(base: string, path: (string | number)[]): string {
  let out = base;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += /^[A-Za-z_][\w-]*$/.test(p) ? (out ? `.${p}` : p) : `[${JSON.stringify(p)}]`;
  }
  return out;
}
