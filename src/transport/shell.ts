// Shared helpers for composing POSIX sh scripts that run on a target.

/** Single-quote a string for sh; safe for any bytes except NUL. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shArgv(argv: string[]): string {
  return argv.map(shq).join(' ');
}

/** A shell glob with everything but `*`, `?` and `[...]` quoted, so only the pattern expands. */
export function shGlob(glob: string): string {
  const parts = glob.split(/([*?]|\[[^\]/]*\])/);
  return parts.map((p, i) => (i % 2 === 1 ? p : p === '' ? '' : shq(p))).join('');
}

/** A quoted heredoc that decodes to `content` exactly (any bytes) into `dest` (already quoted);
 *  `tail` continues the command line (e.g. `|| return 1`). */
export function base64Heredoc(content: string | Buffer, dest: string, delimiter: string, tail = ''): string {
  const b64 = Buffer.from(content).toString('base64');
  const lines = b64.match(/.{1,76}/g) ?? [];
  return [`base64 -d > ${dest} <<'${delimiter}'${tail}`, ...lines, delimiter].join('\n');
}

/** Prefix an absolute target path with the transport root ('' on live systems). */
export function rooted(root: string, path: string): string {
  if (!root) return path;
  return root.replace(/\/+$/, '') + (path.startsWith('/') ? path : '/' + path);
}

/** Marker that starts every machine-readable line the engine's scripts print. */
export const MARK = '@@PSD';

export function decodeB64(s: string | undefined): string {
  return s ? Buffer.from(s, 'base64').toString('utf8') : '';
}
