// Tests of the expression language (`x is defined`, `result is changed`): Jinja's and Ansible's
// names and meaning. Registered results are plain mappings with changed/failed/skipped/rc.
import { Undefined, kind, same, str } from './expr-values.js';

type Test = (v: unknown, args: unknown[]) => boolean;

function result(v: unknown, name: string): Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`"is ${name}" needs a registered task result, got ${kind(v)}`);
}

function pattern(p: unknown, name: string): RegExp {
  if (typeof p !== 'string') throw new Error(`"is ${name}" needs a regular expression string`);
  return new RegExp(p);
}

const failed: Test = (v) => result(v, 'failed').failed === true;
const succeeded: Test = (v) => result(v, 'succeeded').failed !== true;

export const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null,
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  mapping: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || (v !== null && typeof v === 'object'),
  even: (v) => typeof v === 'number' && v % 2 === 0,
  odd: (v) => typeof v === 'number' && Math.abs(v % 2) === 1,
  divisibleby: (v, [n]) => typeof v === 'number' && typeof n === 'number' && n !== 0 && v % n === 0,
  equalto: (v, [o]) => same(v, o),
  eq: (v, [o]) => same(v, o),
  ne: (v, [o]) => !same(v, o),
  in: (v, [list]) => (Array.isArray(list) ? list.some((x) => same(x, v)) : typeof list === 'string' ? list.includes(str(v)) : false),
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  match: (v, [p]) => typeof v === 'string' && pattern(p, 'match').exec(v)?.index === 0,
  search: (v, [p]) => typeof v === 'string' && pattern(p, 'search').test(v),
  regex: (v, [p]) => typeof v === 'string' && pattern(p, 'regex').test(v),
  changed: (v) => result(v, 'changed').changed === true,
  failed,
  failure: failed,
  succeeded,
  success: succeeded,
  skipped: (v) => result(v, 'skipped').skipped === true,
};
