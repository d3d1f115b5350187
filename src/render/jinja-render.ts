// Runs parsed Jinja text (jinja-text.ts) over a host's variables. Loop and `set` variables live in
// a child frame; values bound there are already rendered, so they are never templated again.
import { evaluate } from './expr-eval.js';
import { ExprError } from './expr-parse.js';
import { truthy } from './expr-values.js';
import { JinjaError, type Node } from './jinja-text.js';
import { finish, scopeOf } from './expr-template.js';
import { markUnsafe } from '../raw-data.js';
import { overBudget, withRenderBudget } from './budget.js';
import type { Expr } from './expr-parse.js';

export interface RenderOpts {
  depth: number;
  /** How a value prints: Python's way in .j2 files (True, None, ['a']). */
  print(v: unknown): string;
  /** Upper bound of the output in characters. */
  maxChars?: number;
}

const MAX_LOOP = 100_000;

function value(e: Expr, at: number, vars: Record<string, unknown>, opts: RenderOpts): unknown {
  try {
    return finish(evaluate(e, scopeOf(vars, opts.depth)), vars, opts.depth + 1);
  } catch (err) {
    if (err instanceof ExprError) throw new JinjaError(err.message, at + err.at);
    throw err;
  }
}

/** A child frame with `bound` set; the bound values are final, so marked as not to be templated.
 *  It inherits the rest (expr-eval looks names up the frame chain): a loop of many items must not
 *  copy every variable of the host per item. */
function child(vars: Record<string, unknown>, bound: Record<string, unknown>): Record<string, unknown> {
  const frame = Object.create(vars) as Record<string, unknown>;
  for (const [k, v] of Object.entries(bound)) {
    frame[k] = v;
    markUnsafe(frame, k);
  }
  return frame;
}

function iterate(v: unknown, at: number): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v !== null && typeof v === 'object') return Object.keys(v);
  throw new JinjaError(`cannot loop over ${v === null ? 'none' : typeof v}`, at);
}

export function renderNodes(nodes: Node[], vars: Record<string, unknown>, opts: RenderOpts): string {
  return withRenderBudget(() => renderNodesIn(nodes, vars, opts));
}

function renderNodesIn(nodes: Node[], vars: Record<string, unknown>, opts: RenderOpts): string {
  let out = '';
  let frame = vars;
  // A nested body's text was counted where it was made.
  const emit = (s: string, counted = false) => {
    out += s;
    const over = overBudget(1, counted ? 0 : s.length);
    if (over) throw new JinjaError(over, 0);
    if (opts.maxChars !== undefined && out.length > opts.maxChars)
      throw new JinjaError(`output is over the limit of ${opts.maxChars} characters`, 0);
  };
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        emit(n.s);
        break;
      case 'out':
        emit(opts.print(value(n.e, n.at, frame, opts)));
        break;
      case 'set':
        frame = child(frame, { [n.name]: value(n.e, n.at, frame, opts) });
        break;
      case 'if': {
        const hit = n.branches.find((b) => truthy(value(b.cond, b.at, frame, opts)));
        const body = hit ? hit.body : n.else;
        if (body) emit(renderNodesIn(body, frame, opts), true);
        break;
      }
      case 'for': {
        const source = value(n.iter, n.at, frame, opts);
        const items = iterate(source, n.at);
        if (items.length > MAX_LOOP) throw new JinjaError(`loop of ${items.length} items is over the limit of ${MAX_LOOP}`, n.at);
        if (!items.length && n.else) emit(renderNodesIn(n.else, frame, opts), true);
        items.forEach((item, i) => {
          const loop = {
            index: i + 1,
            index0: i,
            first: i === 0,
            last: i === items.length - 1,
            length: items.length,
            revindex: items.length - i,
            revindex0: items.length - i - 1,
          };
          const bound: Record<string, unknown> = { loop };
          if (n.names.length === 2) {
            const pair = Array.isArray(item) ? item : [item, (source as Record<string, unknown>)[item as string]];
            bound[n.names[0]] = pair[0];
            bound[n.names[1]] = pair[1];
          } else bound[n.names[0]] = item;
          emit(renderNodesIn(n.body, child(frame, bound), opts), true);
        });
        break;
      }
    }
  }
  return out;
}
