// Interface and device patterns as users write them: names or shell globs ("Ethernet*", "eth[01]").
import picomatch from 'picomatch';
import { memoByString } from '../../src/memo.js';

/** Globs the boot scripts expand in the shell too, so only characters both sides read alike. */
export const globPattern = '^[A-Za-z0-9_.:@*?\\[\\]!-]+$';

export const patternListSchema = {
  anyOf: [
    { type: 'string', pattern: globPattern },
    { type: 'array', items: { type: 'string', pattern: globPattern }, minItems: 1 },
  ],
  description: 'a name or shell glob, or a list of them (e.g. "Ethernet*")',
} as const;

export function asList(patterns: string | readonly string[]): string[] {
  return typeof patterns === 'string' ? [patterns] : [...patterns];
}

/** The items whose name matches any of the patterns, in their original order. */
export function matchNames<T extends { name: string }>(items: readonly T[], patterns: string | readonly string[]): T[] {
  const isMatch = matcherOf(JSON.stringify(asList(patterns)));
  return items.filter((item) => isMatch(item.name));
}

/** Every host of a play matches the same patterns: each list is compiled once. */
const matcherOf = memoByString((patterns) => picomatch(JSON.parse(patterns) as string[]), 64);
