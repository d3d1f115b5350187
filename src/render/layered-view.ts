// `base` with `top`'s keys over it, as a read-only view instead of a copy: a module's data over a
// host's variables, for one render (a copy of every variable per render cost more than the render).
// To every reader (property access, `in`, own-key checks, Object.keys, spreads, JSON) it is the
// object `{ ...base, ...top }` would be, its keys in that order.
import type { Vars } from '../playbook/types.js';

const tops = new WeakMap<object, Vars>();

/** The top layer of a view `layeredView` made (a render keys its output by it as a whole). */
export function topOf(vars: object): Vars | undefined {
  return tops.get(vars);
}

export function layeredView(base: Vars, top: Vars): Vars {
  const from = (key: string | symbol): Vars => (Object.hasOwn(top, key) ? top : base);
  const view: Vars = new Proxy({} as Vars, {
    get: (_t, key) => Reflect.get(from(key), key) as unknown,
    has: (_t, key) => key in top || key in base,
    ownKeys: () => [...new Set([...Reflect.ownKeys(base), ...Reflect.ownKeys(top)])],
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(from(key), key);
      return d && { ...d, configurable: true };
    },
    // Read-only itself; an object that inherits from it (a Jinja loop's frame) sets its own keys.
    set: (t, key, value, receiver) => receiver !== view && Reflect.set(t, key, value, receiver),
    defineProperty: () => false,
    deleteProperty: () => false,
  });
  tops.set(view, top);
  return view;
}
