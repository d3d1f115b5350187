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

/** What `vars` holds under `name`: strings and numbers by value, containers by identity (hosts
 *  share their group's objects, so identity is both exact and cheap), `!unsafe` marks included;
 *  '-' when `vars` has no such own key; undefined when the value cannot be keyed. Each part is
 *  closed (length-prefixed or ended by ';'), so keys of several names never run together alike. */
export function nameKey(vars: object, name: string): string | undefined {
  if (!Object.hasOwn(vars, name)) return '-';
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
 *  instance, a list with holes), which a memo then does not key. */
export function dataKey(v: unknown): string | undefined {
  // Most reads are a file's content or a kernel value, or nothing: no list to join for those.
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (v === null) return 'z';
  const parts: string[] = [];
  return addData(v, parts, 0) ? parts.join('') : undefined;
}

function addData(v: unknown, parts: string[], depth: number): boolean {
  switch (typeof v) {
    case 'string':
      parts.push(`s${v.length}:`, v);
      return true;
    case 'number':
      parts.push(Object.is(v, -0) ? 'n-0;' : `n${v};`);
      return true;
    case 'boolean':
      parts.push(v ? 't' : 'f');
      return true;
    case 'undefined':
      parts.push('u');
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) {
    parts.push('z');
    return true;
  }
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    if (Object.keys(v).length !== v.length) return false;
    parts.push(`a${v.length}[`);
    for (const item of v) if (!addData(item, parts, depth + 1)) return false;
    parts.push(']');
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Reflect.ownKeys(v);
  parts.push(proto === null ? 'N{' : 'O{');
  for (const k of keys) {
    if (typeof k === 'symbol' || !Object.prototype.propertyIsEnumerable.call(v, k)) return false;
    parts.push(`${k.length}:`, k);
    if (!addData((v as Record<string, unknown>)[k], parts, depth + 1)) return false;
  }
  parts.push('}');
  return true;
}
