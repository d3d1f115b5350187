// Filters of the expression language (a subset of Jinja's and Ansible's, same names and meaning).
import { Undefined, kind, str, truthy } from './expr-values.js';

interface Filter {
  fn(input: unknown, args: unknown[]): unknown;
  /** Only `default` may look at an undefined value. */
  acceptsUndefined?: boolean;
}

function list(v: unknown, name: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v !== null && typeof v === 'object') return Object.keys(v);
  throw new Error(`"${name}" needs a list, got ${kind(v)}`);
}

function toInt(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v)) return Math.trunc(Number(v));
  throw new Error(`cannot convert ${kind(v)} ${JSON.stringify(v)} to an integer`);
}

const defaultFilter: Filter = {
  acceptsUndefined: true,
  fn: (v, [fallback = '', whenFalsy = false]) => (v instanceof Undefined || (whenFalsy && !truthy(v)) ? fallback : v),
};

export const FILTERS: Record<string, Filter> = {
  default: defaultFilter,
  d: defaultFilter,
  length: { fn: (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).length : list(v, 'length').length) },
  count: { fn: (v) => list(v, 'count').length },
  int: { fn: toInt },
  float: {
    fn: (v) => {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || Number.isNaN(n) || (typeof v === 'string' && !v.trim())) throw new Error(`cannot convert ${kind(v)} ${JSON.stringify(v)} to a number`);
      return n;
    },
  },
  string: { fn: (v) => str(v) },
  bool: { fn: (v) => (typeof v === 'string' ? ['yes', 'true', 'on', '1'].includes(v.trim().toLowerCase()) : truthy(v)) },
  lower: { fn: (v) => str(v).toLowerCase() },
  upper: { fn: (v) => str(v).toUpperCase() },
  trim: { fn: (v) => str(v).trim() },
  replace: { fn: (v, [a, b]) => str(v).split(str(a)).join(str(b)) },
  split: { fn: (v, [sep]) => (sep === undefined ? str(v).trim().split(/\s+/) : str(v).split(str(sep))) },
  join: { fn: (v, [sep = '']) => list(v, 'join').map(str).join(str(sep)) },
  first: { fn: (v) => list(v, 'first')[0] ?? null },
  last: { fn: (v) => list(v, 'last').at(-1) ?? null },
  min: { fn: (v) => Math.min(...list(v, 'min').map(toInt)) },
  max: { fn: (v) => Math.max(...list(v, 'max').map(toInt)) },
  sum: { fn: (v) => list(v, 'sum').reduce((a: number, b) => a + (typeof b === 'number' ? b : toInt(b)), 0) },
  abs: { fn: (v) => Math.abs(toInt(v)) },
  round: { fn: (v, [digits = 0]) => Number((typeof v === 'number' ? v : toInt(v)).toFixed(toInt(digits))) },
  sort: { fn: (v) => [...list(v, 'sort')].sort((a, b) => (a as never) < (b as never) ? -1 : (a as never) > (b as never) ? 1 : 0) },
  unique: { fn: (v) => [...new Set(list(v, 'unique'))] },
  list: { fn: (v) => [...list(v, 'list')] },
  to_json: { fn: (v) => JSON.stringify(v) },
};
