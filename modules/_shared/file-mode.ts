// File modes as users write them ("644", "0644", or a bare 0644 that YAML reads as the octal 420,
// as in Ansible) and as stat reports them ("0644").

/** A file mode as written in a playbook. */
export type FileMode = string | number;

/**
 * JSON Schema for a `mode` arg: an octal string, or a number that is the mode's value (a bare 0644).
 * Numbers stop at 0777: a bare 644 (no leading zero) is the decimal 644, which Ansible would turn
 * into 01204; special bits (01777) are written as strings.
 */
export const modeSchema = {
  oneOf: [
    { type: 'string', pattern: '^0?[0-7]{3}$|^[0-7]{4}$' },
    { type: 'integer', minimum: 0, maximum: 0o777 },
  ],
  description: 'octal permission bits: "0644", or a bare 0644 (YAML reads it as the octal number, as Ansible does)',
} as const;

export function normalizeMode(mode: FileMode): string {
  return (typeof mode === 'number' ? mode.toString(8) : mode).padStart(4, '0');
}
