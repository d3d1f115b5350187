// One apply at a time on a host. A worker killed mid-job leaves its apply script running on the
// host (it ignores HUP and PIPE so that a cut connection never stops a change half-way), and the
// job is taken again by another worker meanwhile. Every apply script (and a health gate's snapshot
// and rollback script) therefore first takes an flock on a file in the host's state folder and
// keeps it until it ends; the next one waits for it, up to `apply_lock_wait` seconds, and else
// fails clearly with nothing applied.
import { posOf } from '../source-map.js';
import { ValidationError } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import { MARK, rooted, shq } from '../script/shell.js';

export const APPLY_LOCK = '/var/lib/portsync-deploy/apply.lock';
const WAIT_VAR = 'apply_lock_wait';
export const DEFAULT_LOCK_WAIT_S = 300;

/** The host's `apply_lock_wait` in seconds (default 300). */
export function lockWait(host: string, vars: Vars): number {
  const v = vars[WAIT_VAR];
  if (v === undefined) return DEFAULT_LOCK_WAIT_S;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 86_400) return n;
  throw new ValidationError([
    { message: `${WAIT_VAR} must be whole seconds from 0 to 86400, got ${JSON.stringify(v)}`, host, pos: posOf(vars, WAIT_VAR) },
  ]);
}

/** Shell text that takes the host's apply lock for the rest of the script, or prints the busy
 *  marker, says why on stderr and exits. */
export function takeLock(root: string, waitSeconds: number): string {
  const lock = rooted(root, APPLY_LOCK);
  const dir = shq(lock.slice(0, lock.lastIndexOf('/')));
  const why = (s: string) => `{ echo '${MARK} busy'; printf '%s\\n' ${shq(s)} >&2; exit 75; }`;
  return `command -v flock >/dev/null || ${why('flock is not on this host: install util-linux')}
{ mkdir -p ${dir} && exec 7>>${shq(lock)}; } || ${why(`cannot open ${APPLY_LOCK}`)}
flock -w ${waitSeconds} 7 || ${why(`another apply on this host still holds ${APPLY_LOCK} after ${waitSeconds} s (a worker that died mid-apply may still be running it); nothing was applied, run again`)}
`;
}

/** The busy marker's message, when the script stopped there. */
export function lockRefused(stdout: string, stderr: string): string | undefined {
  return stdout.startsWith(`${MARK} busy\n`) ? stderr.trim().split('\n').at(-1) : undefined;
}
