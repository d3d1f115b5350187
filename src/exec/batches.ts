// Rolling batches (`serial`) and the failure thresholds applied after each batch.

/** Batch size for one `serial` entry: an int, or "N%" of all hosts (floored, at least 1). */
function entrySize(entry: number | string, total: number): number {
  if (typeof entry === 'number') return entry <= 0 ? total : entry;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(entry);
  if (m) return Math.max(1, Math.floor((Number(m[1]) * total) / 100));
  const n = Number(entry);
  return Number.isInteger(n) && n > 0 ? n : total;
}

/** Split hosts into batches; the last `serial` entry repeats. Empty serial: one batch. */
export function splitBatches<T>(hosts: T[], serial: (number | string)[]): T[][] {
  if (hosts.length === 0) return [];
  if (serial.length === 0) return [hosts.slice()];
  const out: T[][] = [];
  let i = 0;
  let e = 0;
  while (i < hosts.length) {
    const size = entrySize(serial[Math.min(e, serial.length - 1)]!, hosts.length);
    out.push(hosts.slice(i, i + size));
    i += size;
    e++;
  }
  return out;
}

export interface BatchTally {
  size: number;
  failed: number;
  unreachable: number;
}

/**
 * Whether the play stops after this batch. Unreachable hosts count as failures here (they are
 * still reported as unreachable). Without max_fail_percentage the play stops only when the whole
 * batch failed, as Ansible does.
 */
export function haltAfterBatch(t: BatchTally, opts: { maxFailPercentage?: number; anyErrorsFatal: boolean }): string | undefined {
  const bad = t.failed + t.unreachable;
  if (bad === 0) return undefined;
  if (opts.anyErrorsFatal) return `any_errors_fatal: ${bad} host${bad > 1 ? 's' : ''} failed or unreachable`;
  if (opts.maxFailPercentage !== undefined) {
    const pct = (bad * 100) / t.size;
    if (pct > opts.maxFailPercentage)
      return `${bad} of ${t.size} hosts failed or unreachable (${pct.toFixed(0)}% > max_fail_percentage ${opts.maxFailPercentage}%)`;
    return undefined;
  }
  return bad === t.size ? 'every host of the batch failed or was unreachable' : undefined;
}

/** Runs `fn` over items with at most `limit` in flight; `mayStart` is checked before each start. */
export async function runLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  mayStart: () => boolean = () => true,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && mayStart()) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
