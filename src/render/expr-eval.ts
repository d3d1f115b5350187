// Evaluates parsed expressions over plain data. A missing variable is an `Undefined` value that only
// `is defined` / `is undefined` and the `default` filter may touch; any other use is an error.
import { ExprError, type Expr } from './expr-parse.js';
import { FILTERS } from './expr-filters.js';
import { Undefined, kind, str, truthy } from './expr-values.js';


export interface EvalScope {
  vars: Record<string, unknown>;
  /** Resolves a variable's value that is itself a template ("{{ other }}"), as Ansible does lazily. */
  resolve(value: string, name: string): unknown;
}

export function evaluate(e: Expr, scope: EvalScope): unknown {
  const v = evalNode(e, scope);
  return defined(v, e.at);
}

function defined(v: unknown, at: number): unknown {
  if (v instanceof Undefined) throw new ExprError(`undefined variable "${v.name}"`, at);
  return v;
}

function own(container: unknown, key: unknown): { found: boolean; value?: unknown } {
  if (Array.isArray(container) || typeof container === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) return { found: false };
    const i = key < 0 ? container.length + key : key;
    return i >= 0 && i < container.length ? { found: true, value: container[i] } : { found: false };
  }
  if (container !== null && typeof container === 'object' && Object.prototype.hasOwnProperty.call(container, String(key))) {
    return { found: true, value: (container as Record<string, unknown>)[String(key)] };
  }
  return { found: false };
}

function lookup(value: unknown, name: string, scope: EvalScope): unknown {
  return typeof value === 'string' && value.includes('{{') ? scope.resolve(value, name) : value;
}

function pathName(e: Expr): string {
  if (e.t === 'var') return e.name;
  if (e.t === 'attr') {
    const k = e.key.t === 'lit' ? e.key.v : '…';
    return typeof k === 'string' && /^[A-Za-z_]\w*$/.test(k) ? `${pathName(e.obj)}.${k}` : `${pathName(e.obj)}[${JSON.stringify(k)}]`;
  }
  return 'value';
}


function evalNode(e: Expr, scope: EvalScope): unknown {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'var': {
      const r = own(scope.vars, e.name);
      return r.found ? lookup(r.value, e.name, scope) : new Undefined(e.name);
    }
    case 'attr': {
      const obj = evalNode(e.obj, scope);
      if (obj instanceof Undefined) return new Undefined(pathName(e));
      const key = defined(evalNode(e.key, scope), e.key.at);
      const r = own(obj, key);
      return r.found ? lookup(r.value, pathName(e), scope) : new Undefined(pathName(e));
    }
    case 'list':
      return e.items.map((i) => evaluate(i, scope));
    case 'dict':
      return Object.fromEntries(e.entries.map(([k, v]) => [str(evaluate(k, scope)), evaluate(v, scope)]));
    case 'not':
      return !truthy(evaluate(e.e, scope));
    case 'neg':
      return -num(evaluate(e.e, scope), e.at);
    case 'test':
      return runTest(e, scope);
    case 'filter': {
      const f = FILTERS[e.name];
      if (!f) throw new ExprError(`unknown filter "${e.name}"; known: ${Object.keys(FILTERS).join(', ')}`, e.at);
      const input = evalNode(e.e, scope);
      if (input instanceof Undefined && !f.acceptsUndefined) throw new ExprError(`undefined variable "${input.name}"`, e.e.at);
      try {
        return f.fn(input, e.args.map((a) => evaluate(a, scope)));
      } catch (err) {
        if (err instanceof ExprError) throw err;
        throw new ExprError(`filter "${e.name}": ${(err as Error).message}`, e.at);
      }
    }
    case 'bin':
      return binary(e, scope);
  }
}

function binary(e: Extract<Expr, { t: 'bin' }>, scope: EvalScope): unknown {
  if (e.op === 'and') return truthy(evaluate(e.l, scope)) ? truthy(evaluate(e.r, scope)) : false;
  if (e.op === 'or') return truthy(evaluate(e.l, scope)) ? true : truthy(evaluate(e.r, scope));
  const l = evaluate(e.l, scope);
  const r = evaluate(e.r, scope);
  switch (e.op) {
    case '==':
      return same(l, r);
    case '!=':
      return !same(l, r);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string'))) {
        throw new ExprError(`cannot compare ${kind(l)} ${JSON.stringify(l)} with ${kind(r)} ${JSON.stringify(r)}; convert with "| int" or "| string"`, e.at);
      }
      const a = l as number | string;
      const b = r as number | string;
      return e.op === '<' ? a < b : e.op === '<=' ? a <= b : e.op === '>' ? a > b : a >= b;
    }
    case 'in':
      if (typeof r === 'string') {
        if (typeof l !== 'string') throw new ExprError(`"in" a string needs a string on the left, got ${kind(l)}`, e.at);
        return r.includes(l);
      }
      if (Array.isArray(r)) return r.some((x) => same(x, l));
      if (r !== null && typeof r === 'object') return Object.prototype.hasOwnProperty.call(r, String(l));
      throw new ExprError(`"in" needs a list, mapping or string on the right, got ${kind(r)}`, e.at);
    case '~':
      return str(l) + str(r);
    case '+':
      if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      return num(l, e.l.at) + num(r, e.r.at);
    case '-':
      return num(l, e.l.at) - num(r, e.r.at);
    case '*':
      return num(l, e.l.at) * num(r, e.r.at);
    case '/':
    case '//':
    case '%': {
      const d = num(r, e.r.at);
      if (d === 0) throw new ExprError('division by zero', e.at);
      const n = num(l, e.l.at);
      return e.op === '/' ? n / d : e.op === '//' ? Math.floor(n / d) : n % d;
    }
  }
  throw new ExprError(`unknown operator ${e.op}`, e.at);
}

const TESTS: Record<string, (v: unknown, args: unknown[]) => boolean> = {
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
};

function runTest(e: Extract<Expr, { t: 'test' }>, scope: EvalScope): boolean {
  const test = TESTS[e.name];
  if (!test) throw new ExprError(`unknown test "${e.name}"; known: ${Object.keys(TESTS).join(', ')}`, e.at);
  const v = evalNode(e.e, scope);
  if (v instanceof Undefined && e.name !== 'defined' && e.name !== 'undefined') throw new ExprError(`undefined variable "${v.name}"`, e.e.at);
  const r = test(v, e.args.map((a) => evaluate(a, scope)));
  return e.negate ? !r : r;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function num(v: unknown, at: number): number {
  if (typeof v === 'number') return v;
  throw new ExprError(`expected a number, got ${kind(v)} ${JSON.stringify(v)}; convert with "| int"`, at);
}
