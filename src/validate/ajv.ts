// One ajv configuration for every schema (inventory, playbook, module args), and the mapping of
// ajv's errors to Problems that point at the YAML source.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import { formatPath, ownPosOf, posOf } from '../source-map.js';
import { suggestionHint } from './suggest.js';

let shared: AjvClass | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The engine's ajv settings. Schemas may carry `x-hint`: the fix to suggest when a value fails (else `description`).
 * ajv itself is loaded on first use, from node_modules: the CLI bundle validates with code
 * generated at build time and leaves ajv's compiler out, which makes every start-up shorter.
 */
export function createAjv(): AjvClass {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  return ajv;
}

/** One shared instance: each instance compiles the meta-schema again, which costs more than most schemas. */
function ajv(): AjvClass {
  return (shared ??= createAjv());
}

/** Validators generated at build time (ajv standalone code in the CLI bundle), by schemaKey. */
let precompiled: ReadonlyMap<string, ValidateFunction> | undefined;

/** Identifies a schema by its content, so that build-time code matches the schema it came from. */
export function schemaKey(schema: object): string {
  return createHash('sha1').update(JSON.stringify(schema)).digest('hex');
}

/** Compiling a schema at start-up costs more than the rest of loading; the bundle brings its own. */
export function usePrecompiledValidators(table: ReadonlyMap<string, ValidateFunction>): void {
  precompiled = table;
}

/** Compiled once per schema object; throws when the schema is invalid or not strict. */
export function compileSchema(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = precompiled?.get(schemaKey(schema)) ?? ajv().compile(schema)));
  return v;
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

export interface AjvMapOptions {
  /** Objects whose recorded positions locate the errors; the one that knows the deepest key wins. */
  roots: unknown[];
  /** Prefix of Problem.path, e.g. "sysctl" or "plays[0]". */
  basePath: string;
  /** Drop errors at paths the caller cannot judge yet (e.g. values still holding {{ templates }}). */
  skip?: (path: (string | number)[]) => boolean;
}

/**
 * One Problem per real error. For unions (anyOf/oneOf), the branch whose type fits explains the
 * failure ("value … is not allowed"); when no branch type fits, one "expected A or B" is reported.
 */
export function ajvProblems(errors: ErrorObject[] | null | undefined, opts: AjvMapOptions): Problem[] {
  if (!errors?.length) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const inUnion = (e: ErrorObject) =>
    unions.find((u) => u !== e && e.schemaPath.startsWith(u.schemaPath + '/') && e.instancePath === u.instancePath);
  const push = (err: ErrorObject, message: string, hint: string | undefined) => {
    const path = instancePath(err);
    if (err.keyword === 'additionalProperties') path.push((err.params as { additionalProperty: string }).additionalProperty);
    if (err.propertyName !== undefined) path.push(err.propertyName);
    if (opts.skip?.(path)) return;
    const key = `${formatPath('', path)}|${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ message, hint, path: formatPath(opts.basePath, path), pos: deepestPos(opts.roots, path) });
  };
  for (const err of errors) {
    // Summaries: their nested errors say what is wrong (if/then: the `then` schema's own errors).
    if (err.keyword === 'propertyNames' || err.keyword === 'if') continue;
    const union = inUnion(err);
    if (err.keyword === 'anyOf' || err.keyword === 'oneOf') {
      if (inUnion(err)) continue;
      const branches = errors.filter((e) => inUnion(e) === err);
      if (branches.some((e) => e.keyword !== 'type')) continue; // reported by the fitting branch
      if (branches.length && branches.every((e) => opts.skip?.(instancePath(e)))) continue;
      const types = [
        ...new Set(branches.filter((e) => e.keyword === 'type').flatMap((e) => String((e.params as { type: string }).type).split(','))),
      ];
      const d = describe(err);
      push(err, types.length ? `expected ${types.map(yamlType).join(' or ')}, got ${typeOf(err.data)}` : d.message, d.hint);
      continue;
    }
    if (union && err.keyword === 'type') continue;
    const { message, hint } = describe(err);
    const patternHint =
      err.keyword === 'pattern'
        ? `${err.propertyName !== undefined ? 'keys' : 'it'} must match ${(err.params as { pattern: string }).pattern}`
        : undefined;
    push(err, message, hint ?? (union && describe(union).hint) ?? patternHint);
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
      return { message: `expected ${String(p.type).split(',').map(yamlType).join(' or ')}, got ${typeOf(err.data)}`, hint: desc };
    case 'enum':
      return {
        message: `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(err.data)}`,
      };
    case 'pattern':
      if (err.propertyName !== undefined) return { message: `key ${JSON.stringify(err.propertyName)} is not allowed`, hint: desc };
      return { message: `value ${JSON.stringify(err.data)} is not allowed`, hint: desc };
    case 'anyOf':
    case 'oneOf':
      return {
        message: `unexpected ${typeOf(err.data)} ${short(err.data)}`.trim(),
        hint: desc ?? 'see the documented forms of this value',
      };
    default:
      return { message: err.message ?? `invalid (${err.keyword})`, hint: desc };
  }
}

/** JSON Schema type names as a YAML author knows them. */
function yamlType(t: string): string {
  return t === 'object' ? 'mapping' : t === 'array' ? 'list' : t === 'null' ? 'nothing' : t;
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
