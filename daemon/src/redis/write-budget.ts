// How soon the next STATE_DB write may go out: a token bucket that lets a
// burst of writes through at once (an isolated change and the carrier event
// that follows it), then, under sustained load, one write per interval, so
// that the changes of a storm gather into fewer, larger writes.

export const WRITE_BURST = 4;

export class WriteBudget {
  private tokens: number;
  private lastAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly burst = WRITE_BURST,
  ) {
    this.tokens = burst;
  }

  /** Milliseconds until a write may go out (0: at once). */
  delay(now: number): number {
    if (this.intervalMs <= 0) return 0;
    const tokens = this.available(now);
    return tokens >= 1 ? 0 : (1 - tokens) * this.intervalMs;
  }

  /** A write went out at `now`. */
  spend(now: number): void {
    if (this.intervalMs <= 0) return;
    this.tokens = this.available(now) - 1;
    this.lastAt = now;
  }

  private available(now: number): number {
    return Math.min(this.burst, this.tokens + (now - this.lastAt) / this.intervalMs);
  }
}
