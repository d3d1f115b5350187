// Kernel values as text: the same setting is written "4096 87380 6291456", "4096\t87380\t6291456"
// or as a YAML number, and /proc/sys prints it with tabs. Compare them by meaning, not bytes.

/** Whitespace collapsed to single spaces, trimmed: the form written to files and to `sysctl -w`. */
export function collapseWhitespace(value: string | number): string {
  return String(value).trim().replace(/\s+/g, ' ');
}

/** Canonical form for comparison: collapsed whitespace, integers without leading zeros or `+`. */
export function normalizeValue(value: string | number): string {
  return collapseWhitespace(value)
    .split(' ')
    .map((token) => (/^[-+]?\d+$/.test(token) ? BigInt(token).toString() : token))
    .join(' ');
}

export function sameValue(a: string | number, b: string | number): boolean {
  return normalizeValue(a) === normalizeValue(b);
}
