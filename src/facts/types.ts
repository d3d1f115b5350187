// Facts are declared by modules (FactQuery) and gathered by the engine in one exec per host.

export type FactQuery =
  | { kind: 'file'; path: string }
  | { kind: 'stat'; path: string }
  | { kind: 'sysctl'; key: string }
  | { kind: 'unit'; name: string }
  | { kind: 'cmd'; argv: string[] }
  /** Every regular file matching a shell glob, with its content (e.g. /etc/sysctl.d/*.conf). */
  | { kind: 'files'; glob: string }
  /** Ansible's `ansible_*` fact subset (src/facts/system-facts.ts), for plays that gather facts. */
  | { kind: 'system' };

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
  stderr: string;
}

export interface NicFact {
  name: string;
  /** IRQ numbers whose /proc/interrupts action names this NIC (e.g. "Ethernet0-rx-0"). */
  irqs: number[];
  /** rx queue directory names under /sys/class/net/<nic>/queues, e.g. ["rx-0"]. */
  rxQueues: string[];
}

export interface BlockDeviceFact {
  name: string;
  /** Schedulers offered by /sys/block/<dev>/queue/scheduler; `current` is the bracketed one. */
  schedulers: string[];
  current: string;
}

/** Always gathered, in the same exec as the module queries. */
export interface HostFacts {
  hostname: string;
  kernel: string; // uname -r
  cpusOnline: number[];
  numaNodes: number[];
  /** Every key under /proc/sys, dotted (net.core.somaxconn). */
  sysctlKeys: string[];
  nics: NicFact[];
  blockDevices: BlockDeviceFact[];
  irqbalanceActive: boolean;
  /** systemd is PID 1 and reachable (false on an offline root). */
  systemd: boolean;
}

/** What a module reads during diff. Values reflect the overlay of earlier planned changes. */
export interface Facts {
  host: HostFacts;
  /** File content, or null when absent. */
  file(path: string): string | null;
  stat(path: string): StatFact | null;
  /** Live value, or null when the key does not exist on this kernel. */
  sysctl(key: string): string | null;
  unit(name: string): UnitFact;
  cmd(argv: string[]): CmdFact;
  files(glob: string): Record<string, string>;
  /** Ansible's facts, keyed as in `ansible_facts`. */
  system(): Record<string, unknown>;
}
