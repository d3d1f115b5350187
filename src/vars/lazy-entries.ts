// A mapping whose values are made when first read, then kept: Ansible's `hostvars` holds every
// inventory host's variables, and most plays read none of them. To every reader (property
// access, `in`, own-key checks, Object.keys, spreads, JSON) it is a plain object of those keys.
import type { Vars } from '../playbook/types.js';

export function lazyEntries(names: readonly string[], make: (name: string) => unknown): Vars {
  const keys = new Set(names);
  const made = new Map<string, unknown>();
  const value = (name: string) => {
    if (!made.has(name)) made.set(name, make(name));
    return made.get(name);
  };
  const own = (key: string | symbol): key is string => typeof key === 'string' && keys.has(key);
  return new Proxy({} as Vars, {
    get: (target, key, receiver) => (own(key) ? value(key) : Reflect.get(target, key, receiver)),
    has: (target, key) => own(key) || Reflect.has(target, key),
    ownKeys: () => [...keys],
    getOwnPropertyDescriptor: (_, key) =>
      own(key) ? { value: value(key), writable: false, enumerable: true, configurable: true } : undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
