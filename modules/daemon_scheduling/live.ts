// What the running daemon actually got: read from its main process, not from systemd's view of
// the unit, because a drop-in only takes effect at the next restart and systemd silently clamps
// what it cannot apply (a hard limit above what the service manager may raise, for one).
import type { CmdFact } from '../../src/facts/types.js';
import { formatCpuList, parseCpuList } from '../_tuning/cpu-list.js';
import { shq } from '../../src/script/shell.js';

/** The lines the live side keeps of the process whose /proc folder is ARGV[1]: Cpus_allowed_list
 *  of its status, nice, rt_priority and policy (fields 19, 40 and 41) of its stat line, counted
 *  after the last ") " since comm may hold spaces and parentheses, and the three limits. Only these:
 *  the rest (CPU times, counters) moves all the time, and the gather's output must stay the same
 *  while the host does. A file that cannot be opened (the process gone) gives no line; mawk stops
 *  at a read that fails (the process gone after the open), with what it printed before. One awk
 *  reads the three files in blocks, where the shell's read builtin takes a byte per system call:
 *  for these few kilobytes that cost a switch more than the process. Only a BEGIN action: awk
 *  reads no input. */
export const LIVE_AWK = String.raw`BEGIN {
  p = ARGV[1]
  f = p "/status"; while ((getline l < f) > 0) if (l ~ /^Cpus_allowed_list:/) print l
  f = p "/stat"
  if ((getline l < f) > 0) {
    s = l; if (match(l, /.*\) /)) s = substr(l, RLENGTH + 1)
    split(s, v, " "); print "sched: " v[17] " " v[38] " " v[39]
  }
  f = p "/limits"; while ((getline l < f) > 0) if (l ~ /^Max (open files|processes|locked memory) /) print l
}`;

// The main PID comes from the gather's own `systemctl show` of the unit (declared beside). awk
// takes the place of the subshell the gather runs this in (exec): no fork more.
const SCRIPT = `if psd_unit_pid "$1" 2>/dev/null; then pid=$psd_pid; else pid=$(systemctl show -p MainPID --value "$1" 2>/dev/null); fi
[ -n "$pid" ] && [ "$pid" != 0 ] || exit 0
exec awk ${shq(LIVE_AWK)} "/proc/$pid"`;

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
