// Start-up leaves tens of MB of the node binary's code and read-only data
// mapped (bootstrap, module loading, the V8 snapshot) that the daemon never
// touches again; they count in its RSS until memory pressure reclaims them.
// After the initial sync the daemon unmaps them from itself: only read-only
// file mappings with no privately written page (no "Anonymous" kB, so not a
// relocated RELRO segment or a debugger's breakpoint) qualify, whose pages
// the kernel faults back in from the page cache, unchanged, on next use.
import { readFileSync } from 'node:fs';
import type { NativeNetlink } from '../netlink/native.js';

export interface PageRange {
  start: bigint;
  length: bigint;
  /** Resident kB of the range before it is released. */
  rssKb: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/;

/** The mappings of /proc/<pid>/smaps text that can be dropped without losing data. */
export function releasableRanges(smaps: string): PageRange[] {
  const out: PageRange[] = [];
  let cur: (PageRange & { perms: string; path: string; anonKb: number }) | undefined;
  const flush = () => {
    if (cur && cur.path.startsWith('/') && !cur.perms.includes('w') && cur.perms[0] === 'r' && cur.anonKb === 0 && cur.rssKb > 0) {
      out.push({ start: cur.start, length: cur.length, rssKb: cur.rssKb });
    }
  };
  for (const line of smaps.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      flush();
      const start = BigInt('0x' + h[1]);
      // anonKb starts unknown (-1): a mapping whose Anonymous line is missing never qualifies.
      cur = { start, length: BigInt('0x' + h[2]) - start, perms: h[3]!, path: h[4]!, rssKb: 0, anonKb: -1 };
    } else if (cur && line.startsWith('Rss:')) cur.rssKb = parseInt(line.slice(4), 10);
    else if (cur && line.startsWith('Anonymous:')) cur.anonKb = parseInt(line.slice(10), 10);
  }
  flush();
  return out;
}

export interface Released {
  ranges: number;
  failed: number;
  /** What the released ranges held resident. */
  residentBytes: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
}

export function releaseStartupPages(native: Pick<NativeNetlink, 'releasePages'>): Released {
  const rssBeforeBytes = process.memoryUsage.rss();
  let failed = 0;
  const ranges = releasableRanges(readFileSync('/proc/self/smaps', 'utf8'));
  for (const r of ranges) if (native.releasePages(r.start, r.length) !== 0) failed++;
  const residentBytes = ranges.reduce((sum, r) => sum + r.rssKb * 1024, 0);
  return { ranges: ranges.length, failed, residentBytes, rssBeforeBytes, rssAfterBytes: process.memoryUsage.rss() };
}
