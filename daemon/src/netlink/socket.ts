// The netlink edge: owns the socket and its read buffer, and hands every
// wake-up's bytes to one callback with the time the read returned.
import { EAGAIN, ENOBUFS } from './constants.js';
import { loadNative, type NativeNetlink } from './native.js';
import { osErrorName } from '../obs/errno.js';

export interface ReadBatch {
  buf: Buffer;
  bytes: number;
  datagrams: number;
  receivedAt: number; // performance.now() when the read returned
  overflow: boolean; // ENOBUFS: the kernel dropped messages for this socket
  truncated: boolean; // a datagram larger than the free space was cut short (fast path only)
}

export interface NetlinkOptions {
  rcvbufBytes: number;
  force: boolean;
  readBufferBytes: number;
}

const MAX_READ_BUFFER = 64 << 20;
const MAX_ROUNDS_PER_WAKEUP = 16;

export class NetlinkSocket {
  readonly fd: number;
  readonly portId: number;
  readonly rcvbuf: number;
  readonly forced: boolean;
  private buf: Buffer;
  private readonly out = new Int32Array(5);
  private watcher: unknown;
  private readonly native: NativeNetlink;
  /** Times the read buffer had to grow for an oversized datagram. */
  grows = 0;
  lastError = 0;

  constructor(opts: NetlinkOptions, native: NativeNetlink = loadNative()) {
    this.native = native;
    const r = native.open(opts.rcvbufBytes, opts.force);
    if (r.errno) throw new Error(`netlink socket: ${osErrorName(r.errno)}`);
    this.fd = r.fd;
    this.portId = r.portId;
    this.rcvbuf = r.rcvbuf;
    this.forced = r.forced;
    this.buf = Buffer.allocUnsafe(opts.readBufferBytes);
  }

  sendDump(seq: number): number {
    return this.native.sendDump(this.fd, seq);
  }

  /** Calls onBatch for each buffer-full until the queue is empty or overflow is reported. */
  drain(onBatch: (b: ReadBatch) => void): void {
    // Bounded so Redis replies get their turn in a long storm; the poll
    // handle is level-triggered (or the next write acknowledgement reads on).
    for (let round = 0; round < MAX_ROUNDS_PER_WAKEUP; round++) {
      const buf = this.buf;
      this.native.read(this.fd, buf, this.out);
      const receivedAt = performance.now();
      const out = this.out;
      const bytes = out[0]!;
      const datagrams = out[1]!;
      const err = out[2]!;
      const need = out[3]!;
      const truncated = out[4]!;
      const overflow = err === ENOBUFS;
      if (err !== 0 && err !== EAGAIN && err !== ENOBUFS) this.lastError = err;
      if (bytes > 0 || overflow || truncated) onBatch({ buf, bytes, datagrams, receivedAt, overflow, truncated: truncated !== 0 });
      if (need > 0) this.grow(need); // after the bytes before it were handed over
      if (need > 0 && !truncated) continue;
      if (err !== 0 || truncated || bytes === 0) return; // EAGAIN: drained; overflow: the caller resyncs, then reads on
    }
  }

  start(onReadable: () => void): void {
    this.watcher = this.native.watch(this.fd, onReadable);
  }

  /** Stops readiness callbacks, e.g. while a Redis write is in flight; reads still work. */
  pause(): void {
    if (this.watcher !== undefined) this.native.pause(this.watcher);
  }

  resume(): void {
    if (this.watcher !== undefined) this.native.resume(this.watcher);
  }

  close(): void {
    if (this.watcher !== undefined) this.native.unwatch(this.watcher);
    this.watcher = undefined;
    this.native.close(this.fd);
  }

  get readBufferBytes(): number {
    return this.buf.length;
  }

  private grow(need: number): void {
    if (need > MAX_READ_BUFFER) throw new Error(`netlink datagram of ${need} bytes exceeds ${MAX_READ_BUFFER}`);
    let size = this.buf.length;
    while (size < need) size *= 2;
    this.buf = Buffer.allocUnsafe(size);
    this.grows++;
  }
}
