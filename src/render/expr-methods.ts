// The Python methods that Ansible content calls on strings, lists and mappings (`d.items()`,
// `s.split(',')`). Each runs on plain data only; no JavaScript method is ever looked up by name.
import { kind, str } from './expr-values.js';

type Method = (obj: unknown, args: unknown[]) => unknown;

function mapping(v: unknown, m: string): Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`${m}() needs a mapping, got ${kind(v)}`);
}

function text(v: unknown, m: string): string {
  if (typeof v === 'string') return v;
  throw new Error(`${m}() needs a string, got ${kind(v)}`);
}

export const METHODS: Record<string, Method> = {
  items: (o) => Object.entries(mapping(o, 'items')),
  keys: (o) => Object.keys(mapping(o, 'keys')),
  values: (o) => Object.values(mapping(o, 'values')),
  get: (o, [k, fallback = null]) =>
    Object.prototype.hasOwnProperty.call(mapping(o, 'get'), str(k)) ? mapping(o, 'get')[str(k)] : fallback,
  split: (o, [sep]) => (sep === undefined || sep === null ? text(o, 'split').trim().split(/\s+/) : text(o, 'split').split(str(sep))),
  strip: (o) => text(o, 'strip').trim(),
  lower: (o) => text(o, 'lower').toLowerCase(),
  upper: (o) => text(o, 'upper').toUpperCase(),
  startswith: (o, [p]) => text(o, 'startswith').startsWith(str(p)),
  endswith: (o, [p]) => text(o, 'endswith').endsWith(str(p)),
  replace: (o, [a, b]) => text(o, 'replace').split(str(a)).join(str(b)),
};
