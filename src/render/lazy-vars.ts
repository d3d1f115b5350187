// Handlebars reads variables as plain properties, so a variable whose value is itself a template
// ("{{ other }}") would print literally. This view resolves such values on read, as task args and
// .j2 files do; switch data (raw containers) and `!unsafe` keys are returned as they are.
import { isRaw, isUnsafe } from '../raw-data.js';
import { scopeOf } from './expr-template.js';
import type { EvalScope } from './expr-eval.js';

export function lazyVars<T extends object>(vars: Record<string, unknown>, value: T = vars as T): T {
  return view(value, scopeOf(vars), new WeakMap());
}

/** One scope and one view per container for the whole render: a template reads the same
 *  containers again and again (each loop pass, every `this.x`). */
function view<T extends object>(value: T, scope: EvalScope, views: WeakMap<object, object>): T {
  if (isRaw(value)) return value;
  const known = views.get(value);
  if (known) return known as T;
  const made = new Proxy(value, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof key === 'symbol' || !Object.prototype.hasOwnProperty.call(target, key)) return v;
      const k = Array.isArray(target) && /^\d+$/.test(key) ? Number(key) : key;
      if (isUnsafe(target, k)) return v;
      if (typeof v === 'string') return v.includes('{{') ? scope.resolve(v, key) : v;
      return v !== null && typeof v === 'object' ? view(v, scope, views) : v;
    },
  });
  views.set(value, made);
  return made;
}
