// "{{ expr }}" in strings (task args, vars, vars_files paths). A string that is one expression
// yields the value itself, object identity included; other strings interpolate, and strings with
// `{% %}` statements render as Jinja text. Variables whose values are themselves templates resolve
// lazily, as in Ansible; values from the switches and `!unsafe` ones are never templated.
import { FACT_REFERENCE } from '../facts/system-facts.js';
import { TemplateError } from '../errors.js';
import { ownPosOf, recordOwnPos, takePositions } from '../source-map.js';
import { evaluate, type EvalScope } from './expr-eval.js';
import { ExprError, parseExpr } from './expr-parse.js';
import { pyStr } from './expr-values.js';
import { JinjaError, parseJinja } from './jinja-text.js';
import { renderNodes } from './jinja-render.js';
import { lookupPlugin } from './lookups.js';
import { copyUnsafeKeys, isRaw, isUnsafe, markRaw } from '../raw-data.js';
import { overBudget, withRenderBudget } from './budget.js';
import { noteUnkeyable } from './name-reads.js';

// Only a string that is exactly one expression keeps the value's type: text around it, even a final
// newline ("{{ port }}\n"), makes the result a string, as in Ansible.
const WHOLE = /^\{\{((?:(?!\{\{|\}\})[\s\S])*)\}\}$/;
const PART = /\{\{((?:(?!\{\{|\}\})[\s\S])*)\}\}/g;
const MAX_DEPTH = 20;

export const UNDEFINED_HINT =
  "define it in group_vars, host_vars, the play's vars or with -e; or give a fallback: {{ name | default(...) }}";

const FACTS_HINT =
  "ansible_* facts are read in the host's one gather, in plays with gather_facts (the default); a loop's list and a play's vars_files are fixed before any host is read and cannot use them";

/** The hint for an "undefined variable" message: a fact's name gets where facts are available. */
export function undefinedHint(message: string): string {
  const name = /undefined variable "([^"]+)"/.exec(message)?.[1] ?? '';
  return FACT_REFERENCE.test(name) ? FACTS_HINT : UNDEFINED_HINT;
}

const BUDGET_HINT = 'render the value in fewer, smaller steps; the limits are in README.md, "Hostile and careless input"';

export function hasTemplate(v: unknown): boolean {
  return typeof v === 'string' && (v.includes('{{') || v.includes('{%'));
}

/** Renders every templated string inside `value`; containers are copied only where something
 *  changed. Raw containers (switch data) and `!unsafe` keys are left as they are. */
export function renderValue(value: unknown, vars: Record<string, unknown>, depth = 0): unknown {
  return withRenderBudget(() => renderValueIn(value, vars, depth));
}

function renderValueIn(value: unknown, vars: Record<string, unknown>, depth: number): unknown {
  if (typeof value === 'string') return hasTemplate(value) ? renderString(value, vars, depth) : value;
  if (value === null || typeof value !== 'object' || isRaw(value)) return value;
  let copy: Record<string | number, unknown> | unknown[] | undefined;
  for (const [k, v] of Object.entries(value)) {
    const key = Array.isArray(value) ? Number(k) : k;
    if (isUnsafe(value, key)) continue;
    const r = renderValueIn(v, vars, depth);
    if (r === v) continue;
    copy ??= copyContainer(value as Record<string, unknown>);
    (copy as Record<string, unknown>)[k] = r;
  }
  return copy ?? value;
}

/** The evaluation scope over `vars`: lazy resolution of templated values, and lookups. */
export function scopeOf(vars: Record<string, unknown>, depth = 0): EvalScope {
  if (depth > MAX_DEPTH)
    throw new TemplateError('variables refer to each other in a loop', 'a variable may not refer to itself, directly or through others');
  return {
    vars,
    resolve: (value, name) => {
      try {
        return renderValue(value, vars, depth + 1);
      } catch (e) {
        // The innermost variable is named; the task's own arg shows where the chain started.
        if (e instanceof TemplateError && !e.message.includes('(in the value of '))
          throw new TemplateError(`${e.message} (in the value of "${name}": ${JSON.stringify(value)})`, e.hint);
        throw e;
      }
    },
    lookup: (plugin, terms) => {
      noteUnkeyable();
      return lookupPlugin(plugin, terms, vars);
    },
  };
}

export function renderString(s: string, vars: Record<string, unknown>, depth = 0): unknown {
  return withRenderBudget(() => renderStringIn(s, vars, depth));
}

function renderStringIn(s: string, vars: Record<string, unknown>, depth: number): unknown {
  if (depth > MAX_DEPTH)
    throw new TemplateError(
      `variables refer to each other in a loop while rendering "${s}"`,
      'a variable may not refer to itself, directly or through others',
    );
  const scope = scopeOf(vars, depth);
  const whole = WHOLE.exec(s);
  if (whole) return finish(evalOne(whole[1], scope), vars, depth + 1);
  if (s.includes('{%')) return renderStatements(s, vars, depth);
  const out = s.replace(PART, (_, expr: string) => pyStr(finish(evalOne(expr, scope), vars, depth + 1)));
  const over = overBudget(0, out.length);
  if (over) throw new TemplateError(over, BUDGET_HINT);
  return out;
}

/** An expression's value made final: strings already are (variables resolved as they were read,
 *  and a string from the switch must never be templated); containers get their templated values. */
export function finish(v: unknown, vars: Record<string, unknown>, depth: number): unknown {
  return typeof v === 'string' ? v : renderValue(v, vars, depth);
}

function renderStatements(s: string, vars: Record<string, unknown>, depth: number): string {
  try {
    return renderNodes(parseJinja(s), vars, { depth, print: pyStr });
  } catch (e) {
    if (e instanceof JinjaError)
      throw new TemplateError(
        `${e.message} at column ${e.offset + 1} of "${s}"`,
        /undefined variable/.test(e.message)
          ? undefinedHint(e.message)
          : /over the limit/.test(e.message)
            ? BUDGET_HINT
            : 'check the template syntax',
      );
    throw e;
  }
}

function evalOne(expr: string, scope: EvalScope): unknown {
  try {
    return evaluate(parseExpr(expr.trim()), scope);
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    throw new TemplateError(`${e.message} in "{{${expr}}}"`, expressionHint(e.message));
  }
}

function expressionHint(message: string): string {
  if (/^undefined variable/.test(message)) return undefinedHint(message);
  if (/over the limit/.test(message)) return BUDGET_HINT;
  if (/^lookup\('\w+'\): no such file: /.test(message)) return 'create the file in one of those folders, or fix the name';
  return 'check the expression syntax';
}

/** A shallow copy that keeps the source positions and raw/unsafe marks of the original. */
export function copyContainer<T extends object>(value: T): T {
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
  const own = ownPosOf(value);
  if (own) recordOwnPos(copy, own);
  if (isRaw(value)) markRaw(copy);
  // The keys' positions are looked up in the original when asked, not copied key by key (every
  // task's args are copied for every host).
  takePositions(copy, value);
  copyUnsafeKeys(value, copy);
  return copy;
}
