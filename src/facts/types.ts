// Facts are declared by modules (FactQuery) and gathered by the engine in one exec per host.
import type { SystemSection } from './system-facts.js';

export type FactQuery =
  /** The host section (HostFacts): a few one-line reads by shell builtins, no process started. */
  | { kind: 'host' }
  | { kind: 'file'; path: string }
  /** `hash: false`: type, mode, owner and a link's target only, no sha256 (a module that asks
   *  whether a binary or a link is there). Another query of the same path that hashes wins. */
  | { kind: 'stat'; path: string; hash?: false }
  | { kind: 'sysctl'; key: string }
  | { kind: 'unit'; name: string }
  /** A command's exit code and output. `inShell`: argv is ['sh', '-c', SCRIPT, NAME?, ...ARGS] and
   *  the gather's own shell runs SCRIPT in a subshell on a live host (no process started for the
   *  `sh`); for module scripts that set every variable they read and use neither $0 nor $$. There
   *  `psd_unit_pid NAME` sets $psd_pid to the MainPID of a unit declared as a `unit` query (it
   *  fails elsewhere: a script falls back to `systemctl` then). `quietWhenExist`: paths whose
   *  existence means the command prints nothing and exits 0 (its module vouches for that): on a
   *  live host where every one exists, the gather answers so without running it, no subshell. */
  | { kind: 'cmd'; argv: string[]; inShell?: true; quietWhenExist?: string[] }
  /** Every regular file matching a shell glob, with its content (e.g. /etc/sysctl.d/*.conf). A glob
   *  of kernel files (under /proc or /sys) on a live host may hold wildcards in any part (every
   *  NIC's rx queues' rps_cpus): what it matches is read by the gather's one kernel read, and a
   *  kernel file that reads empty is left out like a missing one. */
  | { kind: 'files'; glob: string }
  /** The names in a folder, hidden ones aside, newest first by modification time (equal times by
   *  name), as \`ls -1t\` lists them; a link by what it leads to. Listed by the gather's own shell. */
  | { kind: 'entries'; path: string }
  /** Ansible's `ansible_*` fact subset (src/facts/system-facts.ts), for plays that gather facts:
   *  the sections named, or all of them. Several such queries of a host are read as one, of every
   *  section any of them names. */
  | { kind: 'system'; sections?: SystemSection[] };

export interface StatFact {
  type: 'file' | 'dir' | 'link' | 'other';
  mode: string; // octal, e.g. "0644"
  /** Name as the target knows it, or the number when it has none. */
  owner: string;
  group: string;
  uid?: number;
  gid?: number;
  size: number;
  sha256?: string; // regular files only
  target?: string; // links only
  /** Links only: what the link leads to, when that exists (resolved inside the root on chroot). */
  followed?: StatFact;
}

export interface UnitFact {
  /** `systemctl show` LoadState, e.g. "loaded" / "not-found". */
  load: string;
  active: string; // ActiveState
  sub: string; // SubState
  enabled: string; // UnitFileState, e.g. "enabled" / "disabled" / "static"
}

export interface CmdFact {
  rc: number;
  stdout: string;
  /** Without its trailing newlines (the gather's shell keeps it in a variable). */
  stderr: string;
}

/** Facts about the machine itself, read only when a task declares `{ kind: 'host' }` (the engine
 *  declares it for every task with a `when`, which sees them as `facts`). What a module's own
 *  domain needs (NICs, IRQs, block devices, sysctl key lists) it declares and parses itself. */
export interface HostFacts {
  hostname: string;
  kernel: string; // uname -r
  /** `uname -m` (x86_64, aarch64) on a live host; '' on an offline root. */
  machine: string;
  cpusOnline: number[];
  numaNodes: number[];
  /** systemd is PID 1 and reachable (false on an offline root). */
  systemd: boolean;
}

/** What a module reads during diff. Values reflect the overlay of earlier planned changes. */
export interface Facts {
  /** Throws when no task declared `{ kind: 'host' }`. */
  readonly host: HostFacts;
  /** File content, or null when absent. */
  file(path: string): string | null;
  stat(path: string): StatFact | null;
  /** Live value, or null when the key does not exist on this kernel. */
  sysctl(key: string): string | null;
  unit(name: string): UnitFact;
  cmd(argv: string[]): CmdFact;
  files(glob: string): Record<string, string>;
  /** A folder's names, newest first; null when it is not a folder. */
  entries(path: string): string[] | null;
  /** What an earlier change of this play leaves in a kernel file (sysfs, /proc/irq), declared as a
   *  `sysfs` effect; undefined when none writes it, so the value as gathered (read through `file`
   *  or a `cmd`) stands. Modules that read many such files with one `cmd` ask this per file. */
  sysfs(path: string): string | undefined;
  /** Ansible's facts, keyed as in `ansible_facts`. */
  system(): Record<string, unknown>;
  /** The engine's, not a module's: where a folder of a read path led (`readlink -m`) when a live
   *  host was read; undefined on a chroot root (its paths are resolved inside the root) and for a
   *  folder the plan itself replaces. Ops carry it as `dirLeads`. */
  leads?(dir: string): string | undefined;
}
