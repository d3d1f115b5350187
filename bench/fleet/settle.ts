// A timed run starts on a quiet lab: a cold apply of site.yaml restarts portsyncd, a Node process,
// on every switch, and its start-up CPU would otherwise be counted in (and compete with) the
// no-change run that follows it at once. An idle lab switch uses about 1.2 ms of CPU a second.
import { setTimeout as sleep } from 'node:timers/promises';

export interface SettleOptions {
  /** CPU per switch, in seconds per second, under which a window counts as quiet. */
  quietPerSwitch: number;
  windowMs: number;
  /** Consecutive quiet windows needed. */
  windows: number;
  maxMs: number;
}

export const SETTLE: SettleOptions = { quietPerSwitch: 0.004, windowMs: 250, windows: 2, maxMs: 15_000 };

/** Waits until the lab's switches have used less than `quietPerSwitch` for `windows` windows in a
 *  row, or `maxMs`; returns the seconds waited. `cpuSeconds` reads the lab's CPU so far (undefined:
 *  not measurable, no wait). */
export async function settle(cpuSeconds: () => number | undefined, switches: number, o: SettleOptions = SETTLE): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  let before = cpuSeconds();
  while (before !== undefined && quiet < o.windows && performance.now() - start < o.maxMs) {
    await sleep(o.windowMs);
    const after = cpuSeconds();
    if (after === undefined) break;
    quiet = (after - before) / (o.windowMs / 1000) < o.quietPerSwitch * switches ? quiet + 1 : 0;
    before = after;
  }
  return (performance.now() - start) / 1000;
}
