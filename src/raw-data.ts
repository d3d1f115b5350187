// Data that is never evaluated as a template: facts and command output read from the switches
// (whole containers, marked raw) and values tagged `!unsafe` in YAML (marked per key). Marks live
// beside the plain objects, like source positions, so the data itself stays plain.
const rawContainers = new WeakSet<object>();
const unsafeKeys = new WeakMap<object, Set<string | number>>();

/** Marks `value` and every container inside it as raw; returns it. */
export function markRaw<T>(value: T): T {
  if (value === null || typeof value !== 'object' || rawContainers.has(value)) return value;
  rawContainers.add(value);
  for (const v of Object.values(value)) markRaw(v);
  return value;
}

export function isRaw(value: unknown): boolean {
  return value !== null && typeof value === 'object' && rawContainers.has(value);
}

/** `container[key]` was tagged `!unsafe`. */
export function markUnsafe(container: object, key: string | number): void {
  let keys = unsafeKeys.get(container);
  if (!keys) unsafeKeys.set(container, (keys = new Set()));
  keys.add(key);
}

/** The keys of `container` marked unsafe, if any. */
export function unsafeKeysOf(container: object): ReadonlySet<string | number> | undefined {
  return unsafeKeys.get(container);
}

/** True when `container[key]` must not be templated: the key is unsafe or the container raw. */
export function isUnsafe(container: object, key: string | number): boolean {
  return rawContainers.has(container) || (unsafeKeys.get(container)?.has(key) ?? false);
}

/** Carries every unsafe mark of `from` to `to`, after all of its keys were copied. */
export function copyUnsafeKeys(from: object, to: object): void {
  const keys = unsafeKeys.get(from);
  if (keys) for (const key of keys) if (Object.hasOwn(from, key)) markUnsafe(to, key);
}

/** Carries every unsafe mark of `from` to `to`, a view whose keys include all of `from`'s, without
 *  asking `from` which keys it still holds: a view over a recording view (the plan's memos) would
 *  note each marked key as read, and a mark of a key no longer there marks nothing either. */
export function viewUnsafeKeys(from: object, to: object): void {
  const keys = unsafeKeys.get(from);
  if (keys) for (const key of keys) markUnsafe(to, key);
}

/** Carries the unsafe mark of `from[key]` to `to[toKey]` when values are copied between containers. */
export function copyUnsafe(from: object, key: string | number, to: object, toKey: string | number = key): void {
  if (unsafeKeys.get(from)?.has(key)) markUnsafe(to, toKey);
}
