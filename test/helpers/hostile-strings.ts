// Random hostile strings for property tests of quoting: shell metacharacters, quotes, command
// substitutions that would create `marker` if they ever ran, newlines, globs, option-like words.
// Deterministic (seeded), so a failure can be replayed.

export function hostilePieces(marker: string): string[] {
  return [
    "'",
    '"',
    '\\',
    '`touch ' + marker + '`',
    '$(touch ' + marker + ')',
    '${HOME}',
    '$1',
    '$@',
    '\n',
    '\t',
    ' ',
    '*',
    '?',
    '[a-z]',
    '{a,b}',
    '~',
    ';',
    '|',
    '&',
    '>',
    '<',
    '(',
    ')',
    '#',
    '!',
    '%s',
    '%',
    '-',
    '--',
    '=',
    'é',
    '\u2028',
    '\r',
    'PSD_EOF',
    '@@PSD 0 ok b',
  ];
}

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** One to six pieces, with a printable character now and then. */
export function hostile(r: () => number, pieces: readonly string[]): string {
  let out = '';
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) out += r() < 0.8 ? pieces[Math.floor(r() * pieces.length)] : String.fromCharCode(33 + Math.floor(r() * 90));
  return out;
}
