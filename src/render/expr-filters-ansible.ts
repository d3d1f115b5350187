// Ansible's filters that operators use in playbooks and templates, with Ansible's meaning.
import { Buffer } from 'node:buffer';
import { stringify } from 'yaml';
import type { Filter } from './expr-filters.js';
import { Undefined, kind, str, truthy } from './expr-values.js';

/** Python's regex replacement syntax (\\1, \\g<name>) in JavaScript's ($1, $<name>). */
function replacement(r: string): string {
  return r
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>/g, (_, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
    .replace(/\\(\d)/g, '$$$1');
}

function regex(p: unknown, kw: Record<string, unknown>, flags = ''): RegExp {
  if (typeof p !== 'string') throw new Error('the pattern must be a string');
  return new RegExp(p, flags + (kw.ignorecase === true ? 'i' : '') + (kw.multiline === true ? 'm' : ''));
}

function mapping(v: unknown, name: string): Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`"${name}" needs a mapping, got ${kind(v)}`);
}

export const ANSIBLE_FILTERS: Record<string, Filter> = {
  dict2items: {
    fn: (v, _a, kw) =>
      Object.entries(mapping(v, 'dict2items')).map(([k, x]) => ({ [str(kw.key_name ?? 'key')]: k, [str(kw.value_name ?? 'value')]: x })),
  },
  items2dict: {
    fn: (v, _a, kw) => {
      if (!Array.isArray(v)) throw new Error(`"items2dict" needs a list of mappings, got ${kind(v)}`);
      const key = str(kw.key_name ?? 'key');
      const value = str(kw.value_name ?? 'value');
      return Object.fromEntries(v.map((i) => [str(mapping(i, 'items2dict')[key]), mapping(i, 'items2dict')[value]]));
    },
  },
  combine: {
    fn: (v, others, kw) => {
      const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
        const out = { ...a };
        for (const [k, x] of Object.entries(b)) {
          const deep =
            kw.recursive === true &&
            out[k] !== null &&
            typeof out[k] === 'object' &&
            !Array.isArray(out[k]) &&
            x !== null &&
            typeof x === 'object' &&
            !Array.isArray(x);
          out[k] = deep ? merge(out[k] as Record<string, unknown>, x as Record<string, unknown>) : x;
        }
        return out;
      };
      return others.reduce((acc: Record<string, unknown>, o) => merge(acc, mapping(o, 'combine')), mapping(v, 'combine'));
    },
  },
  regex_replace: { fn: (v, [p, r = ''], kw) => str(v).replace(regex(p, kw, 'g'), replacement(str(r))) },
  regex_search: {
    fn: (v, [p, ...groups], kw) => {
      const m = regex(p, kw).exec(str(v));
      if (!m) return null;
      if (!groups.length) return m[0];
      return groups.map((g) => {
        const s = str(g);
        return /^\\\d+$/.test(s) ? m[Number(s.slice(1))] : m.groups?.[s.replace(/^\\g<(\w+)>$/, '$1')];
      });
    },
  },
  regex_findall: { fn: (v, [p], kw) => [...str(v).matchAll(regex(p, kw, 'g'))].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0]))) },
  regex_escape: { fn: (v) => str(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') },
  to_json: { fn: (v) => pyJson(v) },
  to_nice_json: { fn: (v, _a, kw) => asciiOnly(JSON.stringify(v, sortedKeys, typeof kw.indent === 'number' ? kw.indent : 4)) },
  from_json: { fn: (v) => JSON.parse(str(v)) as unknown },
  to_yaml: { fn: (v) => stringify(v, { lineWidth: 0 }) },
  to_nice_yaml: {
    fn: (v, _a, kw) => stringify(v, { indent: typeof kw.indent === 'number' ? kw.indent : 4, lineWidth: 0, sortMapEntries: true }),
  },
  b64encode: { fn: (v) => Buffer.from(str(v), 'utf8').toString('base64') },
  b64decode: { fn: (v) => Buffer.from(str(v), 'base64').toString('utf8') },
  basename: { fn: (v) => str(v).split('/').at(-1) ?? '' },
  dirname: { fn: (v) => str(v).replace(/\/[^/]*$/, '') },
  ternary: { fn: (v, [a, b]) => (truthy(v) ? a : b) },
  mandatory: {
    acceptsUndefined: true,
    fn: (v, [msg]) => {
      if (v instanceof Undefined) throw new Error(msg === undefined ? `mandatory variable "${v.name}" is not defined` : str(msg));
      return v;
    },
  },
};

/** Python's json.dumps as Ansible's to_json calls it: ", " and ": " between items, non-ASCII escaped. */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`)
      .join(', ')}}`;
  return asciiOnly(JSON.stringify(v) ?? 'null');
}

/** ensure_ascii: every character beyond ASCII as \uXXXX (UTF-16 units, as Python writes them). */
function asciiOnly(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** to_nice_json sorts keys, as Ansible does (sort_keys=True). */
function sortedKeys(this: unknown, _key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
