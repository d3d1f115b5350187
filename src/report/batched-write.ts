// Events come in bursts (a host's results, a batch's starts): the lines of one burst leave in one
// write, as each write to stdout is a system call and an event line only a few hundred bytes.
export interface BatchedWriter {
  write(text: string): void;
  /** Writes what is pending now (at exit, or before anything else must follow it). */
  flush(): void;
}

export function batchedWriter(write: (text: string) => void): BatchedWriter {
  let pending: string[] = [];
  const flush = () => {
    if (!pending.length) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return {
    write(text) {
      // Flushed once the synchronous work that emitted the burst is done.
      if (pending.push(text) === 1) queueMicrotask(flush);
    },
    flush,
  };
}
