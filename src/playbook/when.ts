// `when:` conditions: the safe expression language (src/render/expr-parse.ts), never `eval`.
// A list means every condition must hold. Bare variables need no braces: `when: tuning_profile == 'latency'`.
import { TemplateError, ValidationError } from '../errors.js';
import type { SourcePos } from '../module.js';
import type { Vars } from './types.js';
import { evaluate } from '../render/expr-eval.js';
import { ExprError, parseExpr } from '../render/expr-parse.js';
import { scopeOf } from '../render/expr-template.js';
import { truthy } from '../render/expr-values.js';

export function evalWhen(expr: string | string[], vars: Vars, where?: SourcePos): boolean {
  for (const cond of Array.isArray(expr) ? expr : [expr]) {
    if (!evalOne(cond, vars, where)) return false;
  }
  return true;
}

/** Syntax check at load time, before any host is known. Returns the error message, if any. */
export function whenSyntaxError(cond: string): string | undefined {
  try {
    parseExpr(stripBraces(cond));
    return undefined;
  } catch (e) {
    if (e instanceof ExprError) return `${e.message} at column ${e.at + 1} of "${cond}"`;
    throw e;
  }
}

function evalOne(cond: string, vars: Vars, where?: SourcePos): boolean {
  const src = stripBraces(cond);
  try {
    return truthy(evaluate(parseExpr(src), scopeOf(vars)));
  } catch (e) {
    if (e instanceof ExprError || e instanceof TemplateError) {
      const at = e instanceof ExprError ? ` at column ${e.at + 1}` : '';
      throw new ValidationError([
        {
          message: `when "${cond}": ${e.message}${at}`,
          pos: where,
          hint: /undefined variable/.test(e.message)
            ? 'test optional variables with "name is defined" or "name | default(...)"'
            : e instanceof TemplateError
              ? e.hint
              : undefined,
        },
      ]);
    }
    throw e;
  }
}

/** Ansible warns about `when: "{{ x }}"` but accepts it; so do we. */
function stripBraces(cond: string): string {
  const m = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(cond);
  return m ? m[1] : cond;
}
