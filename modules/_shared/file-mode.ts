// File modes as users write them ("644", "0644") and as stat reports them ("0644").

/** JSON Schema for a `mode` arg: an octal string. YAML reads a bare 0644 as the decimal 644, so a string is required. */
export const modeSchema = {
  type: 'string',
  pattern: '^0?[0-7]{3}$|^[0-7]{4}$',
  description: 'octal permission bits as a quoted string, e.g. "0644"',
} as const;

export function normalizeMode(mode: string): string {
  return mode.padStart(4, '0');
}
