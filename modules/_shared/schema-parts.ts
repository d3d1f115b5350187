// Schema building blocks that keep ajv's strict mode happy: strictRequired wants every `required`
// name declared in `properties` of the same subschema.

/** `{required: names}` for use inside oneOf/anyOf/not/if-then. */
export function requires<const N extends string>(...names: N[]): { required: N[]; properties: Record<N, true> } {
  return { required: names, properties: Object.fromEntries(names.map((n) => [n, true])) as Record<N, true> };
}

/** An absolute target path: no control characters and no `..` part, so it names one file and
 *  cannot climb out of a chroot root or the folder it names. */
export const targetPathSchema = {
  type: 'string',
  pattern: '^/(?!(.*/)?\\.\\.(/|$))[^\\x00-\\x1f\\x7f]+$',
  description: 'absolute path on the target, without ".." parts',
} as const;

/** `validate`: one command run on the temp file before it replaces dest, without a shell. */
export const validateSchema = {
  type: 'string',
  // Run without a shell (see src/script/shell-words.ts): what only a shell would do is refused.
  pattern: '^[^$`;&|<>()\\x00]*%s[^$`;&|<>()\\x00]*$',
  description: 'one command run on the temp file before it replaces dest, without a shell; %s is the temp file path',
} as const;
