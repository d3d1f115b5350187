// Process and socket figures from /proc. Parsers are pure; readers never throw.
import { readFileSync } from 'node:fs';

export interface ProcCounters {
  voluntaryCtxt: number;
  involuntaryCtxt: number;
  minorFaults: number;
  majorFaults: number;
}

export function parseStatus(text: string): Pick<ProcCounters, 'voluntaryCtxt' | 'involuntaryCtxt'> {
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { voluntaryCtxt: field('voluntary_ctxt_switches'), involuntaryCtxt: field('nonvoluntary_ctxt_switches') };
}

/** /proc/<pid>/stat: fields after the parenthesised command name; minflt is field 10, majflt 12. */
export function parseStat(text: string): Pick<ProcCounters, 'minorFaults' | 'majorFaults'> {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { minorFaults: Number(rest[7] ?? 0) || 0, majorFaults: Number(rest[9] ?? 0) || 0 };
}

/** The Drops column of the /proc/net/netlink row whose Inode matches, or undefined. */
export function parseNetlinkDrops(text: string, inode: number): number | undefined {
  const lines = text.trim().split('\n');
  const header = lines.shift()?.trim().split(/\s+/) ?? [];
  const dropsAt = header.indexOf('Drops');
  const inodeAt = header.indexOf('Inode');
  if (dropsAt < 0 || inodeAt < 0) return undefined;
  for (const line of lines) {
    const cols = line.trim().split(/\s+/);
    if (Number(cols[inodeAt]) === inode) return Number(cols[dropsAt]);
  }
  return undefined;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function readProcCounters(): ProcCounters {
  return { ...parseStatus(read('/proc/self/status')), ...parseStat(read('/proc/self/stat')) };
}

export function readNetlinkDrops(inode: number): number | undefined {
  return parseNetlinkDrops(read('/proc/net/netlink'), inode);
}
