// What the running daemon actually got: read from its main process, not from systemd's view of
// the unit, because a drop-in only takes effect at the next restart and systemd silently clamps
// what it cannot apply (a hard limit above what the service manager may raise, for one).
import type { CmdFact } from '../../src/facts/types.js';
import { formatCpuList, parseCpuList } from '../_tuning/cpu-list.js';

/** nice, rt_priority and policy (fields 19, 40 and 41) of a /proc/PID/stat file, counted after
 *  "(comm)" since comm may hold spaces and parentheses. Only these: the rest (CPU times) moves
 *  all the time, and the gather's output must stay the same while the host does. */
export const SCHED_FROM_STAT = `sched() { { IFS= read -r s < "$1"; } 2>/dev/null || return 0; s=\${s##*') '}; set -- $s; echo "sched: \${17} \${38} \${39}"; }`;

// The lines are picked by shell builtins (read, case), not grep: each process started costs the
// switch a millisecond, and these files are a few dozen lines (procfs seq files, read at any offset).
// The main PID comes from the gather's own `systemctl show` of the unit (declared beside).
const SCRIPT = `if psd_unit_pid "$1" 2>/dev/null; then pid=$psd_pid; else pid=$(systemctl show -p MainPID --value "$1" 2>/dev/null); fi
[ -n "$pid" ] && [ "$pid" != 0 ] || exit 0
[ -r /proc/$pid/status ] && while IFS= read -r l; do case $l in Cpus_allowed_list:*) printf '%s\\n' "$l";; esac; done < /proc/$pid/status
${SCHED_FROM_STAT}
sched /proc/$pid/stat
[ -r /proc/$pid/limits ] && while IFS= read -r l; do case $l in 'Max open files '* | 'Max processes '* | 'Max locked memory '*) printf '%s\\n' "$l";; esac; done < /proc/$pid/limits
true`;

export const liveArgv = (unit: string): string[] => ['sh', '-c', SCRIPT, 'sh', unit];

/** sched_setscheduler policy numbers, as /proc/PID/stat reports them. */
const POLICIES: Record<string, string> = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle' };
const LIMITS: Record<string, string> = { 'open files': 'LimitNOFILE', processes: 'LimitNPROC', 'locked memory': 'LimitMEMLOCK' };

const limitValue = (v: string) => (v === 'unlimited' ? 'infinity' : v);

/** Directive → live value of the daemon's main process; empty when it does not run. */
export function parseLive(fact: CmdFact): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fact.stdout.split('\n')) {
    const cpus = /^Cpus_allowed_list:\s*(\S+)/.exec(line);
    if (cpus) out.set('CPUAffinity', formatCpuList(parseCpuList(cpus[1]!)));
    const sched = /^sched: (\S+) (\S+) (\S+)$/.exec(line);
    if (sched) {
      out.set('Nice', sched[1]!);
      out.set('CPUSchedulingPriority', sched[2]!);
      out.set('CPUSchedulingPolicy', POLICIES[sched[3]!] ?? `policy ${sched[3]}`);
    }
    const limit = /^Max (open files|processes|locked memory)\s+(\S+)\s+(\S+)/.exec(line);
    if (limit) {
      const [soft, hard] = [limitValue(limit[2]!), limitValue(limit[3]!)];
      out.set(LIMITS[limit[1]!]!, soft === hard ? soft : `${soft}:${hard}`);
    }
  }
  return out;
}
