// Values as strings that differ whenever two values could make a pure function of them differ:
// the keys of the plan's memos (args-memo.ts, diff-memo.ts). Keys stay in memory and are never
// shown.
import { isUnsafe } from '../raw-data.js';

const ids = new WeakMap<object, number>();
let nextId = 0;

/** A number per object, by identity. */
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
}

/** nameKey's key of a name `vars` does not hold as its own. */
export const ABSENT = '-';

/** What `vars` holds under `name`: strings and numbers by value, containers by identity (hosts
 *  share their group's objects, so identity is both exact and cheap), `!unsafe` marks included;
 *  '-' when `vars` has no such own key; undefined when the value cannot be keyed. Each part is
 *  closed (length-prefixed or ended by ';'), so keys of several names never run together alike. */
export function nameKey(vars: object, name: string): string | undefined {
  if (!Object.hasOwn(vars, name)) return ABSENT;
  const v = (vars as Record<string, unknown>)[name];
  const mark = isUnsafe(vars, name) ? 'U' : '';
  switch (typeof v) {
    case 'string':
      return `${mark}s${v.length}:${v}`;
    case 'number':
      return Object.is(v, -0) ? `${mark}n-0;` : `${mark}n${v};`;
    case 'bigint':
      return `${mark}b${v};`;
    case 'boolean':
      return mark + (v ? 't' : 'f');
    case 'undefined':
      return `${mark}u`;
    case 'object':
      return mark + (v === null ? 'z' : `o${idOf(v)};`);
    default:
      return undefined;
  }
}

const MAX_DEPTH = 64;

/** Plain data by value: strings, numbers (-0 and NaN apart), booleans, null, undefined, lists and
 *  plain objects with their keys in order; undefined for anything else (a function, a class
 *  instance, a list with holes, a key that is a symbol or not enumerable), which a memo then does
 *  not key. Built by concatenation: most values are small, and V8 joins such strings cheaply. */
export function dataKey(v: unknown): string | undefined {
  return keyAt(v, 0);
}

function keyAt(v: unknown, depth: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      return Object.is(v, -0) ? 'n-0;' : `n${v};`;
    case 'boolean':
      return v ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return 'z';
  if (depth >= MAX_DEPTH) return undefined;
  let key: string;
  if (Array.isArray(v)) {
    key = `a${v.length}[`;
    for (let i = 0; i < v.length; i++) {
      const part = i in v ? keyAt(v[i], depth + 1) : undefined;
      if (part === undefined) return undefined;
      key += part;
    }
    return Object.keys(v).length === v.length ? `${key}]` : undefined;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys = Object.keys(v);
  if (Reflect.ownKeys(v).length !== keys.length) return undefined;
  key = proto === null ? 'N{' : 'O{';
  for (const k of keys) {
    const part = keyAt((v as Record<string, unknown>)[k], depth + 1);
    if (part === undefined) return undefined;
    key += `${k.length}:${k}${part}`;
  }
  return `${key}}`;
}
