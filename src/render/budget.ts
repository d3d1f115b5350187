// The work one render may do. A few lines of variables that each expand another ten times, or
// loops nested in loops, can stand for billions of steps and gigabytes of text; the outermost
// render (task arg, variable, template file) sets the budget and everything it calls spends it.

export const RENDER_LIMITS = { steps: 500_000, chars: 8 * 1024 * 1024 } as const;

let spent: { steps: number; chars: number } | undefined;

/** Runs `fn` under a budget, unless one is running already (nested renders share the outer one). */
export function withRenderBudget<T>(fn: () => T): T {
  if (spent) return fn();
  spent = { steps: 0, chars: 0 };
  try {
    return fn();
  } finally {
    spent = undefined;
  }
}

/** A message when the budget is exhausted by `steps` more evaluation steps and `chars` more
 *  characters (or list items) built; undefined while there is budget left. */
export function overBudget(steps: number, chars = 0): string | undefined {
  if (!spent) return undefined;
  spent.steps += steps;
  spent.chars += chars;
  if (spent.steps > RENDER_LIMITS.steps)
    return `template evaluation over the limit of ${RENDER_LIMITS.steps} steps (variables expanding into each other many times, or loops inside loops)`;
  if (spent.chars > RENDER_LIMITS.chars)
    return `template values over the limit of ${RENDER_LIMITS.chars} characters (a list item counts as 8)`;
  return undefined;
}
