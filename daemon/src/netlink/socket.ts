// The netlink edge: owns the socket and its read buffer, and hands every
// wake-up's bytes to one callback with the time the read returned.
import { EAGAIN, ENOBUFS } from './constants.js';
import { loadNative, type NativeNetlink } from './native.js';
import { osErrorName } from '../obs/errno.js';

export interface ReadBatch {
  buf: Buffer;
  bytes: number;
  datagrams: number;
  receivedAt: bigint; // process.hrtime.bigint() when the read returned
  overflow: boolean; // ENOBUFS: the kernel dropped messages for this socket
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
  private readonly out = new Int32Array(4);
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
    // handle is level-triggered and wakes us again for the rest.
    for (let round = 0; round < MAX_ROUNDS_PER_WAKEUP; round++) {
      this.native.read(this.fd, this.buf, this.out);
      const receivedAt = process.hrtime.bigint();
      const [bytes, datagrams, err, need] = this.out as unknown as [number, number, number, number];
      if (need > 0) {
        this.grow(need);
        continue;
      }
      const overflow = err === ENOBUFS;
      if (err !== 0 && err !== EAGAIN && !overflow) this.lastError = err;
      if (bytes > 0 || overflow) onBatch({ buf: this.buf, bytes, datagrams, receivedAt, overflow });
      if (err !== 0 || bytes === 0) return; // EAGAIN: drained; ENOBUFS: the caller resyncs, then reads on
    }
  }

  start(onReadable: () => void): void {
    this.watcher = this.native.watch(this.fd, onReadable);
  }

  close(): void {
    if (this.watcher !== undefined) this.native.unwatch(this.watcher);
    this.watcher = undefined;
    this.native.close(this.fd);
  }

  private grow(need: number): void {
    if (need > MAX_READ_BUFFER) throw new Error(`netlink datagram of ${need} bytes exceeds ${MAX_READ_BUFFER}`);
    let size = this.buf.length;
    while (size < need) size *= 2;
    this.buf = Buffer.allocUnsafe(size);
    this.grows++;
  }
}
