// Which ports get a STATE_DB entry. Upstream portsyncd writes PORT_TABLE|<name>
// only for a name present in APPL_DB PORT_TABLE; here a name also counts when
// CONFIG_DB PORT has it (the daemon itself produces those into APPL_DB, where a
// consumer may not have popped them yet). Deletes always pass.
// Cost stays bounded: the tables are scanned at start and before each full
// reconcile; a name missing from them is looked up (one pipelined round trip per
// batch of names) at most once per NEGATIVE_TTL_MS, so an unconfigured link
// flapping in a storm costs nothing on the hot path of configured ports.
import type { Redis } from 'ioredis';
import { isPortName } from '../core/port.js';
import { APPL_PORT_TABLE, CONFIG_PORT_PREFIX } from './sonic.js';

export const NEGATIVE_TTL_MS = 1000;
const MAX_NEGATIVE = 4096;

export class ConfiguredPorts {
  private configured = new Set<string>();
  private readonly negative = new Map<string, number>(); // name -> when it was found missing
  private scannedAt = -Infinity;
  private readonly inFlight = new Set<string>();

  /** mirrorAll: every Ethernet or PortChannel link counts (no lookups). */
  constructor(
    private readonly appl: Redis,
    private readonly config: Redis,
    readonly mirrorAll: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** true: write it; false: skip it; undefined: unknown, ask lookup(). */
  admits(name: string): boolean | undefined {
    if (this.mirrorAll || this.configured.has(name)) return true;
    const missingSince = this.negative.get(name) ?? this.scannedAt;
    return this.now() - missingSince < NEGATIVE_TTL_MS ? false : undefined;
  }

  /** Re-reads both tables; ports no longer configured stop being written. */
  async refresh(): Promise<void> {
    if (this.mirrorAll) return;
    const at = this.now();
    const [appl, config] = await Promise.all([scanNames(this.appl, `${APPL_PORT_TABLE}:`), scanNames(this.config, CONFIG_PORT_PREFIX)]);
    this.configured = new Set([...appl, ...config]);
    this.negative.clear();
    this.scannedAt = at;
  }

  /** Looks the names up; resolves to those found configured. Names already being looked up are skipped. */
  async lookup(names: Iterable<string>): Promise<string[]> {
    const ask = [...names].filter((n) => !this.inFlight.has(n));
    if (ask.length === 0) return [];
    for (const n of ask) this.inFlight.add(n);
    try {
      const pipe = this.appl.pipeline();
      for (const n of ask) pipe.exists(`${APPL_PORT_TABLE}:${n}`);
      const cfgPipe = this.config.pipeline();
      for (const n of ask) cfgPipe.exists(`${CONFIG_PORT_PREFIX}${n}`);
      const [a, c] = await Promise.all([pipe.exec(), cfgPipe.exec()]);
      const at = this.now();
      const found: string[] = [];
      ask.forEach((n, i) => {
        if (a?.[i]?.[1] === 1 || c?.[i]?.[1] === 1) {
          this.configured.add(n);
          this.negative.delete(n);
          found.push(n);
        } else this.markMissing(n, at);
      });
      return found;
    } finally {
      for (const n of ask) this.inFlight.delete(n);
    }
  }

  private markMissing(name: string, at: number): void {
    if (this.negative.size >= MAX_NEGATIVE) {
      for (const [n, t] of this.negative) if (at - t >= NEGATIVE_TTL_MS) this.negative.delete(n);
      if (this.negative.size >= MAX_NEGATIVE) this.negative.clear();
    }
    this.negative.set(name, at);
  }
}

async function scanNames(r: Redis, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const name = key.slice(prefix.length);
      if (isPortName(name)) names.push(name);
    }
  } while (cursor !== '0');
  return names;
}
