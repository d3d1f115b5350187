// The script toolkit: helpers for composing the POSIX sh scripts the engine runs on a target
// (fact gathering, apply, rollback), used by facts/, exec/ and the transports. `shq` is the one
// quoting helper: every value from a user, an inventory or a host reaches a script through it.
import { resolveInRoot } from './root-path.js';

export class UnquotableError extends Error {}

/** Single-quote a string for sh; any bytes except NUL, which no argument or path can hold. */
export function shq(s: string): string {
  if (s.includes('\0')) throw new UnquotableError(`a NUL character cannot reach a shell script (in ${JSON.stringify(s)})`);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shArgv(argv: string[]): string {
  return argv.map(shq).join(' ');
}

/** A shell glob with everything but `*`, `?` and `[...]` quoted, so only the pattern expands. */
export function shGlob(glob: string): string {
  const parts = glob.split(/([*?]|\[[^\]/]*\])/);
  return parts.map((p, i) => (i % 2 === 0 ? (p === '' ? '' : shq(p)) : p.startsWith('[') ? bracket(p) : p)).join('');
}

/** A bracket expression whose members are quoted one by one (a quoted member matches itself in
 *  sh and bash), so `$(…)`, quotes or blanks inside it stay text; a leading `!`/`^` still negates
 *  and letters, digits and `-` stay bare, so ranges keep working. */
function bracket(p: string): string {
  const inner = p.slice(1, -1);
  const negated = /^[!^]/.test(inner) ? inner[0]! : '';
  const members = [...inner.slice(negated.length)].map((c) => (/^[A-Za-z0-9-]$/.test(c) ? c : shq(c))).join('');
  return `[${negated}${members}]`;
}

/** A quoted heredoc that decodes to `content` exactly (any bytes) into `dest` (already quoted);
 *  `tail` continues the command line (e.g. `|| return 1`). */
export function base64Heredoc(content: string | Buffer, dest: string, delimiter: string, tail = ''): string {
  const b64 = Buffer.from(content).toString('base64');
  const lines = b64.match(/.{1,76}/g) ?? [];
  return [`base64 -d > ${dest} <<'${delimiter}'${tail}`, ...lines, delimiter].join('\n');
}

/**
 * The host path of a target path: unchanged on a live system; under a chroot root, with `..` and
 * every symlink resolved inside the root as chroot(2) would (the last component only when
 * `follow`), so no path reaches outside it.
 */
export function rooted(root: string, path: string, follow = false): string {
  if (!root) return path;
  return resolveInRoot(root, path, follow);
}

/**
 * The command line that runs a script read from stdin: the script's bytes come first on stdin
 * (exactly `length` of them; `head -c` leaves the rest for the script), so neither the script nor
 * any file content in it is ever visible in a process's arguments.
 */
export function stdinScriptCommand(length: number): string {
  return `eval "$(head -c ${length})"`;
}

/**
 * What `sh -s` reads on stdin to run a script that is all of its stdin: the shell reads the script
 * itself, so no process starts to read it (`head` above). The script is one brace group, which the
 * shell parses whole before running any of it: a script cut short runs nothing, and its commands
 * read /dev/null, never the script's own text.
 */
export function wholeStdinScript(script: string): Buffer {
  return Buffer.from(`{\n${script}\n} </dev/null\n`);
}

/** Marker that starts every machine-readable line the engine's scripts print. */
export const MARK = '@@PSD';
