// The host section (HostFacts), read when a task declares `{ kind: 'host' }`: one-line files read
// by shell builtins, so it starts no process (but `uname -m` on a kernel before 6.1). Paths are
// prefixed with $ROOT (empty on a live host, the root directory of an offline tree), and a missing
// file is tolerated: an offline root has no /proc or /sys.
import type { HostFacts } from './types.js';
import { MARK } from '../script/shell.js';

/** `uname -m` into $psd_m, by shell builtins where it can: kernel.arch under the plain Linux
 *  personality (linux32 makes uname say i686); uname itself under another personality, or on a
 *  kernel before 6.1 (no kernel.arch). Live hosts only; the host and system sections share it. */
export const MACHINE_SCRIPT = `psd_m=; { IFS= read -r psd_pers < /proc/self/personality && [ "$psd_pers" = 00000000 ] && IFS= read -r psd_m < /proc/sys/kernel/arch; } 2>/dev/null || psd_m=
[ -n "$psd_m" ] || psd_m=$(uname -m 2>/dev/null)`;

/** The word after the marker on the section's lines: "@@PSD host kernel 6.1.0". */
export const HOST_MARK = 'host';

export function hostFactsScript(): string {
  const line = (name: string) => `printf '%s %s\\n' '${MARK} ${HOST_MARK} ${name}' "$v"`;
  return String.raw`R=${'$'}{ROOT-}
first() { v=; [ -r "$1" ] && { IFS= read -r v < "$1" || [ -n "$v" ]; }; }
if [ -z "$R" ]; then
  first /proc/sys/kernel/hostname && ${line('hostname')}
  first /proc/sys/kernel/osrelease && ${line('kernel')}
  ${MACHINE_SCRIPT}
  v=$psd_m; [ -n "$v" ] && ${line('machine')}
elif first "$R/etc/hostname"; then ${line('hostname')}; fi
first "$R/sys/devices/system/cpu/online" && ${line('cpus')}
first "$R/sys/devices/system/node/online" && ${line('numa')}
v=; [ -d "$R/run/systemd/system" ] && ${line('systemd')}
true`;
}

/** "0-3,6" -> [0,1,2,3,6]; tolerant: anything unreadable yields []. */
function kernelList(text: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) out.push(n);
  }
  return out;
}

/** The section's values by name. Values that are missing (offline root, missing files) get safe defaults. */
export function parseHostFacts(values: ReadonlyMap<string, string>): HostFacts {
  const numa = kernelList(values.get('numa'));
  return {
    hostname: values.get('hostname')?.trim() ?? '',
    kernel: values.get('kernel')?.trim() ?? '',
    machine: values.get('machine')?.trim() ?? '',
    cpusOnline: kernelList(values.get('cpus')),
    numaNodes: numa.length > 0 ? numa : [0],
    systemd: values.has('systemd'),
  };
}
