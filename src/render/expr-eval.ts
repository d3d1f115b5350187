// Evaluates parsed expressions over plain data. A missing variable is an `Undefined` value that only
// `is defined` / `is undefined` and the `default` filter may touch; any other use is an error.
// Only own keys of plain data are reachable, and only the named globals, filters, tests and
// methods below can be called: nothing reaches a JavaScript object, prototype or function.
import { ExprError, type Expr, type Kwargs } from './expr-parse.js';
import { FILTERS, type FilterCalls } from './expr-filters.js';
import { TESTS } from './expr-tests.js';
import { METHODS } from './expr-methods.js';
import { OMIT, Undefined, kind, same, str, truthy } from './expr-values.js';
import { isRaw, isUnsafe, markRaw } from '../raw-data.js';
import { overBudget, withRenderBudget } from './budget.js';
import { noteRead } from './name-reads.js';

export interface EvalScope {
  vars: Record<string, unknown>;
  /** Resolves a variable's value that is itself a template ("{{ other }}"), as Ansible does lazily. */
  resolve(value: string, name: string): unknown;
  /** `lookup('env'|'file'|'template', …)`; absent where no lookup is allowed. */
  lookup?(plugin: string, terms: unknown[]): unknown;
}

const MAX_RANGE = 100_000;

export function evaluate(e: Expr, scope: EvalScope): unknown {
  const v = withRenderBudget(() => evalNode(e, scope));
  return defined(v, e.at);
}

/** Counts one step (and the size of what it built) against the render budget. */
function spend(at: number, built: unknown = undefined): void {
  // A list item costs a pointer or more: counted as 8 characters.
  const size = typeof built === 'string' ? built.length : Array.isArray(built) ? built.length * 8 : 0;
  const over = overBudget(1, size);
  if (over) throw new ExprError(over, at);
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

/** The frame holding `name`: the vars, or a loop's frame inheriting from them (jinja-render.ts). */
function frameOf(vars: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  for (let f = vars; f !== null && f !== Object.prototype; f = Object.getPrototypeOf(f) as Record<string, unknown>) {
    if (Object.prototype.hasOwnProperty.call(f, name)) return f;
  }
  return undefined;
}

/** A variable's value; a templated string resolves now unless it came from the switch or `!unsafe`. */
function lookup(container: object, key: string | number, value: unknown, name: string, scope: EvalScope): unknown {
  if (typeof value !== 'string' || !value.includes('{{') || isUnsafe(container, key)) return value;
  return scope.resolve(value, name);
}

function pathName(e: Expr): string {
  if (e.t === 'var') return e.name;
  if (e.t === 'attr') {
    const k = e.key.t === 'lit' ? e.key.v : '…';
    return typeof k === 'string' && /^[A-Za-z_]\w*$/.test(k) ? `${pathName(e.obj)}.${k}` : `${pathName(e.obj)}[${JSON.stringify(k)}]`;
  }
  return 'value';
}

function kwargs(kw: Kwargs | undefined, scope: EvalScope): Record<string, unknown> {
  return Object.fromEntries((kw ?? []).map(([k, v]) => [k, evaluate(v, scope)]));
}

function evalNode(e: Expr, scope: EvalScope): unknown {
  spend(e.at);
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'var': {
      const frame = frameOf(scope.vars, e.name);
      noteRead(scope.vars, frame, e.name);
      if (!frame && e.name === 'omit') return OMIT;
      return frame ? lookup(frame, e.name, frame[e.name], e.name, scope) : new Undefined(e.name);
    }
    case 'attr': {
      const obj = evalNode(e.obj, scope);
      if (obj instanceof Undefined) return new Undefined(pathName(e));
      const key = defined(evalNode(e.key, scope), e.key.at);
      const r = own(obj, key);
      if (!r.found) return new Undefined(pathName(e));
      return typeof obj === 'object' && obj !== null ? lookup(obj, key as string | number, r.value, pathName(e), scope) : r.value;
    }
    case 'list':
      return e.items.map((i) => evaluate(i, scope));
    case 'dict':
      return Object.fromEntries(e.entries.map(([k, v]) => [str(evaluate(k, scope)), evaluate(v, scope)]));
    case 'not':
      return !truthy(evaluate(e.e, scope));
    case 'neg':
      return -num(evaluate(e.e, scope), e.at);
    case 'cond':
      if (truthy(evaluate(e.cond, scope))) return evalNode(e.then, scope);
      return e.else ? evalNode(e.else, scope) : null;
    case 'test':
      return runTest(e, scope);
    case 'filter':
      return runFilter(e, scope);
    case 'call':
      return call(e, scope);
    case 'method': {
      const obj = evaluate(e.obj, scope);
      const m = Object.hasOwn(METHODS, e.name) ? METHODS[e.name] : undefined;
      if (!m) throw new ExprError(`unknown method "${e.name}()"; known: ${Object.keys(METHODS).join(', ')}`, e.at);
      try {
        return carryRaw(
          obj,
          m(
            obj,
            e.args.map((a) => evaluate(a, scope)),
          ),
        );
      } catch (err) {
        if (err instanceof ExprError) throw err;
        throw new ExprError(`${e.name}(): ${(err as Error).message}`, e.at);
      }
    }
    case 'bin':
      return binary(e, scope);
  }
}

/** Data derived from switch data stays raw (dict2items of facts is still facts). */
function carryRaw(input: unknown, output: unknown): unknown {
  return isRaw(input) ? markRaw(output) : output;
}

function filterCalls(scope: EvalScope, at: number): FilterCalls {
  return {
    filter: (name, input, args) => applyFilter(name, input, args, {}, scope, at),
    test: (name, input, args) => applyTest(name, input, args, at),
  };
}

function applyFilter(name: string, input: unknown, args: unknown[], kw: Record<string, unknown>, scope: EvalScope, at: number): unknown {
  const f = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
  if (!f) throw new ExprError(`unknown filter "${name}"; known: ${Object.keys(FILTERS).join(', ')}`, at);
  if (input instanceof Undefined && !f.acceptsUndefined) throw new ExprError(`undefined variable "${input.name}"`, at);
  try {
    return carryRaw(input, built(f.fn(input, args, kw, filterCalls(scope, at)), at));
  } catch (err) {
    if (err instanceof ExprError) throw err;
    throw new ExprError(`filter "${name}": ${(err as Error).message}`, at);
  }
}

function runFilter(e: Extract<Expr, { t: 'filter' }>, scope: EvalScope): unknown {
  const input = evalNode(e.e, scope);
  if (input instanceof Undefined && !(Object.hasOwn(FILTERS, e.name) && FILTERS[e.name].acceptsUndefined)) {
    throw new ExprError(`undefined variable "${input.name}"`, e.e.at);
  }
  return applyFilter(
    e.name,
    input,
    e.args.map((a) => evaluate(a, scope)),
    kwargs(e.kw, scope),
    scope,
    e.at,
  );
}

function applyTest(name: string, v: unknown, args: unknown[], at: number): boolean {
  const test = Object.hasOwn(TESTS, name) ? TESTS[name] : undefined;
  if (!test) throw new ExprError(`unknown test "${name}"; known: ${Object.keys(TESTS).join(', ')}`, at);
  if (v instanceof Undefined && name !== 'defined' && name !== 'undefined') throw new ExprError(`undefined variable "${v.name}"`, at);
  try {
    return test(v, args);
  } catch (err) {
    throw new ExprError(`test "${name}": ${(err as Error).message}`, at);
  }
}

function runTest(e: Extract<Expr, { t: 'test' }>, scope: EvalScope): boolean {
  const v = evalNode(e.e, scope);
  const r = applyTest(
    e.name,
    v,
    e.args.map((a) => evaluate(a, scope)),
    v instanceof Undefined ? e.e.at : e.at,
  );
  return e.negate ? !r : r;
}

function call(e: Extract<Expr, { t: 'call' }>, scope: EvalScope): unknown {
  const args = e.args.map((a) => evaluate(a, scope));
  switch (e.name) {
    case 'range': {
      const [a, b, step = 1] = args.map((x) => num(x, e.at));
      const [start, stop] = b === undefined ? [0, a] : [a, b];
      if (step === 0) throw new ExprError('range() step must not be zero', e.at);
      const n = Math.max(0, Math.ceil((stop - start) / step));
      if (n > MAX_RANGE) throw new ExprError(`range() of ${n} items is over the limit of ${MAX_RANGE}`, e.at);
      return built(
        Array.from({ length: n }, (_, i) => start + i * step),
        e.at,
      );
    }
    case 'dict':
      return kwargs(e.kw, scope);
    case 'lookup':
    case 'query': {
      if (!scope.lookup) throw new ExprError(`${e.name}() is not available here`, e.at);
      const [plugin, ...terms] = args;
      try {
        const values = terms.map((t) => scope.lookup!(str(plugin), [t]));
        return e.name === 'query' || values.length !== 1 ? values : values[0];
      } catch (err) {
        if (err instanceof ExprError) throw err;
        throw new ExprError(`lookup('${str(plugin)}'): ${(err as Error).message}`, e.at);
      }
    }
  }
  throw new ExprError(`unknown function "${e.name}()"; known: range, dict, lookup, query`, e.at);
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
        throw new ExprError(
          `cannot compare ${kind(l)} ${JSON.stringify(l)} with ${kind(r)} ${JSON.stringify(r)}; convert with "| int" or "| string"`,
          e.at,
        );
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
      return built(str(l) + str(r), e.at);
    case '+':
      if (Array.isArray(l) && Array.isArray(r)) return built([...l, ...r], e.at);
      if (typeof l === 'string' && typeof r === 'string') return built(l + r, e.at);
      return num(l, e.l.at) + num(r, e.r.at);
    case '-':
      return num(l, e.l.at) - num(r, e.r.at);
    case '*':
      if (typeof l === 'string' && typeof r === 'number') return repeat(l, r, e.at);
      return num(l, e.l.at) * num(r, e.r.at);
    case '**':
      return num(l, e.l.at) ** num(r, e.r.at);
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

function built<T>(v: T, at: number): T {
  spend(at, v);
  return v;
}

/** `'-' * 20`; bounded so an expression cannot build an arbitrarily large string. */
function repeat(s: string, n: number, at: number): string {
  if (s.length * n > 1_000_000) throw new ExprError('string repetition over 1 MB', at);
  return built(s.repeat(Math.max(0, Math.trunc(n))), at);
}

function num(v: unknown, at: number): number {
  if (typeof v === 'number') return v;
  throw new ExprError(`expected a number, got ${kind(v)} ${JSON.stringify(v)}; convert with "| int"`, at);
}
