// How soon the next STATE_DB write may go out: a token bucket that lets a
// burst of writes through at once (an isolated change and the carrier event
// that follows it), then, under sustained load, one write per interval, so
// that the changes of a storm gather into fewer, larger writes.

export const WRITE_BURST = 4;

export class WriteBudget {
  private tokens: number;
  private lastAt = -Infinity;

  constructor(
    readonly intervalMs: number,
    readonly burst = WRITE_BURST,
  ) {
    this.tokens = burst;
  }

  /** Milliseconds until a write may go out (0: at once). */
  delay(now: number): number {
    if (this.intervalMs <= 0) return 0;
    const tokens = this.rawAvailable(now);
    return tokens >= 1 ? 0 : (1 - tokens) * this.intervalMs;
  }

  /** A write went out at `now`. */
  spend(now: number): void {
    if (this.intervalMs <= 0) return;
    this.tokens = this.rawAvailable(now) - 1;
    this.lastAt = now;
  }

  /** Whole writes that may go out at once at `now`: the burst when unpaced. */
  available(now: number): number {
    if (this.intervalMs <= 0) return this.burst;
    return Math.floor(this.rawAvailable(now));
  }

  private rawAvailable(now: number): number {
    return Math.min(this.burst, this.tokens + (now - this.lastAt) / this.intervalMs);
  }
}
