// A pure function of one string, remembered: every host of a fleet plans the same few file
// contents, and hashing or diffing each again costs more than a lookup. Bounded: keys longer
// than MAX_KEY_CHARS are not kept, and past `max` kept keys it starts afresh.
export const MAX_KEY_CHARS = 64 * 1024;

export function memoByString<T>(fn: (key: string) => T, max = 256): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    // One lookup on a hit: a fleet asks mostly for what it asked before.
    const had = known.get(key);
    if (had !== undefined || known.has(key)) return had as T;
    const value = fn(key);
    if (key.length > MAX_KEY_CHARS) return value;
    if (known.size >= max) known.clear();
    known.set(key, value);
    return value;
  };
}
