// "Did you mean" hints for misspelt names (modules, keys, hosts, groups, variables).

export function closeMatches(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const scored: [number, string][] = [];
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = lc.startsWith(w) || w.startsWith(lc) ? Math.min(1, editDistance(w, lc)) : editDistance(w, lc);
    if (d <= Math.max(2, Math.floor(w.length / 3))) scored.push([d, c]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, max)
    .map(([, c]) => c);
}

/** "did you mean a, b?" or a fallback listing some of the known names. */
export function suggestionHint(word: string, candidates: string[], what: string): string {
  const close = closeMatches(word, candidates);
  if (close.length) return `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?`;
  const shown = candidates.slice(0, 12).join(', ');
  return candidates.length ? `known ${what}: ${shown}${candidates.length > 12 ? ', …' : ''}` : `no ${what} are defined`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
