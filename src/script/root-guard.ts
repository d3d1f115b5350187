// The apply-time checks that keep writes where the plan meant them: inside a chroot root, and on a
// live host through the folders the plan saw. The chroot one: Paths are resolved inside the root
// when the script is made (root-path.ts), so none of a resolved path's folders is a symlink then;
// a folder swapped for a symlink afterwards (between plan and apply) would lead the write out of
// the root. `psd_inroot PATH` fails, saying so on stderr, when a folder of PATH is now a symlink,
// and is called before a folder is made and right before each rename.
import { shq } from './shell.js';

/** The shell function; '' on a live host, where the system's own folder links are the intended path. */
export function rootGuardFunction(root: string): string {
  if (!root) return '';
  const base = root.replace(/\/+$/, '');
  return `psd_R=$(readlink -m -- ${shq(base || '/')}); [ "$psd_R" = / ] && psd_R=
psd_inroot() { psd_d=\${1%/*}; [ "$(readlink -m -- "\${psd_d:-/}")" = "$psd_R\${psd_d#${shq(base)}}" ] && return 0
  printf '%s: a folder on its path became a symbolic link after the plan; nothing written through it\\n' "\${1#${shq(base)}}" >&2; return 1; }`;
}

/** The call guarding `path` (already quoted shell text) followed by `tail`, or '' on a live host. */
export function rootGuard(root: string, path: string, tail: string): string {
  return root ? `psd_inroot ${path}${tail}` : '';
}

/** `psd_where PATH` sets psd_l to where PATH's folder leads now, as `readlink -m` would. An existing
 *  folder is resolved by builtins (`cd -P`, then back), since every file written costs two checks;
 *  `readlink` resolves one that cannot be entered. */
const WHERE_FUNCTION = `psd_where() { psd_d=\${1%/*}; psd_d=\${psd_d:-/}; psd_o=$PWD
  if cd -P -- "$psd_d" 2>/dev/null; then psd_l=$PWD; cd -- "$psd_o" 2>/dev/null || cd /; else psd_l=$(readlink -m -- "$psd_d"); fi; }`;

/** On a live host a folder link is the host's own layout, followed as the plan saw it; one that
 *  leads elsewhere at the apply (swapped between the read and the apply) is not written through.
 *  `psd_leads PATH WAS` fails, saying so on stderr, when PATH's folder no longer leads to WAS. */
export const LEADS_FUNCTION = `${WHERE_FUNCTION}
psd_leads() { psd_where "$1"; [ "$psd_l" = "$2" ] && return 0
  printf '%s: its folder now leads to %s, not to %s as when the host was read; nothing written through it\\n' "$1" "$psd_l" "$2" >&2; return 1; }`;

/** `psd_lead PATH` prints where PATH's folder leads now, as psd_leads computes it, base64-encoded
 *  (a path may hold any byte but NUL), for a later psd_leads check of the same path. */
export const LEAD_FUNCTION = `${WHERE_FUNCTION}
psd_lead() { psd_where "$1"; printf %s "$psd_l" | base64 | tr -d '\\n'; }`;

/** The call checking that `path`'s folder still leads to `leads` (both as written), then `tail`. */
export function leadsGuard(path: string, leads: string | undefined, tail: string): string {
  return leads === undefined ? '' : `psd_leads ${shq(path)} ${shq(leads)}${tail}`;
}
