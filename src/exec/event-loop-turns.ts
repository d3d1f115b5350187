// Loading every host's variables and preparing every task are long synchronous stretches, while
// the connections a run opened ahead of them wait for the event loop to answer their handshakes'
// packets. Such a stretch asks for a turn between hosts: once a slice of time has passed, it
// awaits one turn of the event loop (I/O first, then the loop's immediates), so the handshakes
// advance beside the work; in between, asking costs a clock read.
export class EventLoopTurns {
  private last = performance.now();

  /** `sliceMs`: how long the work runs between turns (0: a turn at every ask). */
  constructor(private readonly sliceMs = 4) {}

  /** A promise to await when a turn is due, else undefined (no await, no microtask). */
  due(): Promise<void> | undefined {
    if (performance.now() - this.last < this.sliceMs) return undefined;
    return new Promise((resolve) =>
      setImmediate(() => {
        this.last = performance.now();
        resolve();
      }),
    );
  }
}
