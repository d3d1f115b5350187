// One ajv configuration for every schema (inventory, playbook, module args), and the mapping of
// ajv's errors to Problems that point at the YAML source.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import { ownPosOf, posOf } from '../source-map.js';
import { suggestionHint } from './suggest.js';

/** Schemas may carry `x-hint`: the fix to suggest when a value fails (falls back to `description`). */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  return ajv;
}

export type SchemaValidator = ValidateFunction;

/** "/settings/net.core~1x" → ['settings', 'net.core/x'] (array indexes become numbers). */
export function instancePath(err: ErrorObject): (string | number)[] {
  if (!err.instancePath) return [];
  return err.instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function formatPath(base: string, path: (string | number)[]): string {
  let out = base;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += /^[A-Za-z_][\w-]*$/.test(p) ? (out ? `.${p}` : p) : `[${JSON.stringify(p)}]`;
  }
  return out;
}

export interface AjvMapOptions {
  /** Objects whose recorded positions locate the errors; the one that knows the deepest key wins. */
  roots: unknown[];
  /** Prefix of Problem.path, e.g. "sysctl" or "plays[0]". */
  basePath: string;
  /** Drop errors at paths the caller cannot judge yet (e.g. values still holding {{ templates }}). */
  skip?: (path: (string | number)[]) => boolean;
}

/** One Problem per real error: ajv's noise for unions (anyOf/oneOf + each branch) is reduced to one. */
export function ajvProblems(errors: ErrorObject[] | null | undefined, opts: AjvMapOptions): Problem[] {
  if (!errors?.length) return [];
  const problems: Problem[] = [];
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  for (const err of errors) {
    const path = instancePath(err);
    if (err.keyword === 'additionalProperties') path.push((err.params as { additionalProperty: string }).additionalProperty);
    if (opts.skip?.(path)) continue;
    // Inside a union, the branch errors are summarised by the union error itself.
    if (err.keyword !== 'anyOf' && err.keyword !== 'oneOf' && unionPaths.has(err.instancePath) && err.keyword !== 'additionalProperties' && err.keyword !== 'required') continue;
    const { message, hint } = describe(err);
    const key = `${err.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ message, hint, path: formatPath(opts.basePath, path), pos: deepestPos(opts.roots, path) });
  }
  return problems;
}

/** Like posAtPath, over several views of the same data (rendered args and args as loaded). */
export function deepestPos(roots: unknown[], path: (string | number)[]): SourcePos | undefined {
  let best: SourcePos | undefined;
  let bestDepth = -1;
  for (const root of roots) {
    let cur = root;
    let pos = root !== null && typeof root === 'object' ? ownPosOf(root) : undefined;
    let depth = pos ? 0 : -1;
    for (let i = 0; i < path.length && cur !== null && typeof cur === 'object'; i++) {
      const p = posOf(cur, path[i]);
      if (p) [pos, depth] = [p, i + 1];
      cur = (cur as Record<string | number, unknown>)[path[i]];
    }
    if (depth > bestDepth) [best, bestDepth] = [pos, depth];
  }
  return best;
}

function describe(err: ErrorObject): { message: string; hint?: string } {
  const p = err.params as Record<string, unknown>;
  const s = err.parentSchema as Record<string, unknown> | undefined;
  const desc = typeof s?.['x-hint'] === 'string' ? s['x-hint'] : typeof s?.description === 'string' ? s.description : undefined;
  switch (err.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((s?.properties as object) ?? {});
      return { message: `unknown key "${p.additionalProperty}"`, hint: suggestionHint(String(p.additionalProperty), known, 'keys') };
    }
    case 'required':
      return { message: `missing required key "${p.missingProperty}"`, hint: desc };
    case 'type':
      return { message: `expected ${String(p.type).replace(/,/g, ' or ')}, got ${typeOf(err.data)}`, hint: desc };
    case 'enum':
      return { message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(err.data)}` };
    case 'pattern':
      return { message: `value ${JSON.stringify(err.data)} is not allowed`, hint: desc ?? `it must match ${p.pattern}` };
    case 'anyOf':
    case 'oneOf':
      return { message: `unexpected ${typeOf(err.data)} ${short(err.data)}`, hint: desc ?? 'see the documented forms of this value' };
    default:
      return { message: err.message ?? `invalid (${err.keyword})`, hint: desc };
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

function short(v: unknown): string {
  if (v !== null && typeof v === 'object') return '';
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '…' : s;
}
