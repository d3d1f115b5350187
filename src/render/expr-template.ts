// "{{ expr }}" in strings (task args, vars, vars_files paths). A string that is one expression
// yields the value itself, object identity included; other strings interpolate. Variables whose
// values are themselves templates resolve lazily, as in Ansible.
import { TemplateError } from '../errors.js';
import { ownPosOf, posOf, recordOwnPos, recordPos } from '../source-map.js';
import { evaluate, type EvalScope } from './expr-eval.js';
import { ExprError, parseExpr } from './expr-parse.js';
import { str } from './expr-values.js';

const WHOLE = /^\s*\{\{((?:(?!\{\{|\}\})[\s\S])*)\}\}\s*$/;
const PART = /\{\{((?:(?!\{\{|\}\})[\s\S])*)\}\}/g;
const MAX_DEPTH = 20;

export function hasTemplate(v: unknown): boolean {
  return typeof v === 'string' && v.includes('{{');
}

/** Renders every templated string inside `value`; containers are copied only where something changed. */
export function renderValue(value: unknown, vars: Record<string, unknown>, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('{{') ? renderString(value, vars, depth) : value;
  if (value === null || typeof value !== 'object') return value;
  let copy: Record<string | number, unknown> | unknown[] | undefined;
  for (const [k, v] of Object.entries(value)) {
    const r = renderValue(v, vars, depth);
    if (r === v) continue;
    copy ??= copyContainer(value as Record<string, unknown>);
    (copy as Record<string, unknown>)[k] = r;
  }
  return copy ?? value;
}

export function renderString(s: string, vars: Record<string, unknown>, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TemplateError(`variables refer to each other in a loop while rendering "${s}"`, 'a variable may not refer to itself, directly or through others');
  const scope: EvalScope = {
    vars,
    resolve: (value, name) => {
      try {
        return renderValue(value, vars, depth + 1);
      } catch (e) {
        if (e instanceof TemplateError) throw new TemplateError(`${e.message} (in the value of "${name}": ${JSON.stringify(value)})`, e.hint);
        throw e;
      }
    },
  };
  const whole = WHOLE.exec(s);
  if (whole) return renderValue(evalOne(whole[1], scope), vars, depth + 1);
  if (s.includes('{%')) throw new TemplateError(`"{% %}" statements are not supported in "${s}"`, 'use an expression: {{ a if b }} is not supported either; use when: on the task');
  return s.replace(PART, (_, expr: string) => str(renderValue(evalOne(expr, scope), vars, depth + 1)));
}

function evalOne(expr: string, scope: EvalScope): unknown {
  try {
    return evaluate(parseExpr(expr.trim()), scope);
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    const undefinedVar = /^undefined variable/.test(e.message);
    throw new TemplateError(
      `${e.message} in "{{${expr}}}"`,
      undefinedVar ? 'define it in group_vars, host_vars, the play\'s vars or with -e; or give a fallback: {{ name | default(...) }}' : 'check the expression syntax',
    );
  }
}

/** A shallow copy that keeps the source positions of the original's keys. */
export function copyContainer<T extends object>(value: T): T {
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
  const own = ownPosOf(value);
  if (own) recordOwnPos(copy, own);
  for (const k of Object.keys(value)) {
    const key = Array.isArray(value) ? Number(k) : k;
    const p = posOf(value, key);
    if (p) recordPos(copy, key, p);
  }
  return copy;
}
