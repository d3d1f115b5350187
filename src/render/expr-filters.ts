// Filters of the expression language: Jinja's built-ins, same names and meaning. Ansible's own
// filters are in expr-filters-ansible.ts.
import { ANSIBLE_FILTERS } from './expr-filters-ansible.js';
import { Undefined, kind, same, str, truthy } from './expr-values.js';

/** What a filter may call back into: other filters and tests by name (map, select). */
export interface FilterCalls {
  filter(name: string, input: unknown, args: unknown[]): unknown;
  test(name: string, input: unknown, args: unknown[]): boolean;
}

export interface Filter {
  fn(input: unknown, args: unknown[], kw: Record<string, unknown>, calls: FilterCalls): unknown;
  /** Only `default` (and `mandatory`) may look at an undefined value. */
  acceptsUndefined?: boolean;
}

export function list(v: unknown, name: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v !== null && typeof v === 'object') return Object.keys(v);
  throw new Error(`"${name}" needs a list, got ${kind(v)}`);
}

export function toInt(v: unknown, fallback?: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v)) return Math.trunc(Number(v));
  if (fallback !== undefined) return toInt(fallback);
  throw new Error(`cannot convert ${kind(v)} ${JSON.stringify(v)} to an integer`);
}

/** Reads `a.b.c` from a mapping: attribute='a.b' in sort, map, selectattr. */
export function attribute(v: unknown, path: unknown): unknown {
  let cur = v;
  for (const k of str(path).split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, Array.isArray(cur) ? Number(k) : k))
      return new Undefined(str(path));
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  throw new Error(`cannot compare ${kind(a)} with ${kind(b)}`);
}

const defaultFilter: Filter = {
  acceptsUndefined: true,
  fn: (v, [fallback = '', whenFalsy = false]) => (v instanceof Undefined || (whenFalsy && !truthy(v)) ? fallback : v),
};

function selecting(keep: boolean, byAttr: boolean): Filter {
  return {
    fn: (v, args, _kw, calls) => {
      const [attr, testName, ...rest] = byAttr ? args : [undefined, ...args];
      return list(v, 'select').filter((item) => {
        const x = byAttr ? attribute(item, attr) : item;
        const ok = testName === undefined ? !(x instanceof Undefined) && truthy(x) : calls.test(str(testName), x, rest);
        return ok === keep;
      });
    },
  };
}

export const FILTERS: Record<string, Filter> = {
  default: defaultFilter,
  d: defaultFilter,
  length: { fn: (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).length : list(v, 'length').length) },
  count: { fn: (v) => list(v, 'count').length },
  int: { fn: (v, [fallback]) => toInt(v, fallback ?? (typeof v === 'string' ? 0 : undefined)) },
  float: {
    fn: (v) => {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || Number.isNaN(n) || (typeof v === 'string' && !v.trim()))
        throw new Error(`cannot convert ${kind(v)} ${JSON.stringify(v)} to a number`);
      return n;
    },
  },
  string: { fn: (v) => str(v) },
  bool: { fn: (v) => (typeof v === 'string' ? ['yes', 'true', 'on', '1', 'y'].includes(v.trim().toLowerCase()) : truthy(v)) },
  lower: { fn: (v) => str(v).toLowerCase() },
  upper: { fn: (v) => str(v).toUpperCase() },
  capitalize: { fn: (v) => str(v).charAt(0).toUpperCase() + str(v).slice(1).toLowerCase() },
  trim: { fn: (v) => str(v).trim() },
  replace: { fn: (v, [a, b]) => str(v).split(str(a)).join(str(b)) },
  split: { fn: (v, [sep]) => (sep === undefined ? str(v).trim().split(/\s+/) : str(v).split(str(sep))) },
  join: { fn: (v, [sep = '']) => list(v, 'join').map(str).join(str(sep)) },
  first: { fn: (v) => list(v, 'first')[0] ?? null },
  last: { fn: (v) => list(v, 'last').at(-1) ?? null },
  min: { fn: (v) => Math.min(...list(v, 'min').map((x) => toInt(x))) },
  max: { fn: (v) => Math.max(...list(v, 'max').map((x) => toInt(x))) },
  sum: { fn: (v) => list(v, 'sum').reduce((a: number, b) => a + (typeof b === 'number' ? b : toInt(b)), 0) },
  abs: { fn: (v) => Math.abs(toInt(v)) },
  round: { fn: (v, [digits = 0]) => Number((typeof v === 'number' ? v : toInt(v)).toFixed(toInt(digits))) },
  sort: {
    fn: (v, [reverse = false], kw) => {
      const key = (x: unknown) => (kw.attribute === undefined ? x : attribute(x, kw.attribute));
      const out = [...list(v, 'sort')].sort((a, b) => compare(key(a), key(b)));
      return (kw.reverse ?? reverse) === true ? out.reverse() : out;
    },
  },
  unique: { fn: (v) => list(v, 'unique').filter((x, i, all) => all.findIndex((y) => same(x, y)) === i) },
  list: { fn: (v) => [...list(v, 'list')] },
  reverse: { fn: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...list(v, 'reverse')].reverse()) },
  map: {
    fn: (v, [name, ...rest], kw, calls) =>
      list(v, 'map').map((item) => {
        if (kw.attribute !== undefined) {
          const x = attribute(item, kw.attribute);
          return x instanceof Undefined ? (kw.default ?? x) : x;
        }
        if (name === undefined) throw new Error('"map" needs a filter name or attribute=NAME');
        return calls.filter(str(name), item, rest);
      }),
  },
  select: selecting(true, false),
  reject: selecting(false, false),
  selectattr: selecting(true, true),
  rejectattr: selecting(false, true),
  dictsort: { fn: (v) => Object.entries(v as object).sort(([a], [b]) => compare(a, b)) },
  ...ANSIBLE_FILTERS,
};
