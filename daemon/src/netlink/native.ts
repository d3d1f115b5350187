// Loads the N-API addon (daemon/native). It is found from either output tree
// (daemon/dist and the repository's dist/daemon/src), next to a bundled
// entry script, or at PORTSYNCD_ADDON.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OpenResult {
  fd: number;
  portId: number;
  rcvbuf: number;
  forced: boolean;
  errno: number;
}

export interface NativeNetlink {
  open(rcvbufBytes: number, force: boolean): OpenResult;
  sendDump(fd: number, seq: number): number;
  read(fd: number, buf: Buffer, out: Int32Array): void;
  close(fd: number): number;
  watch(fd: number, onReadable: () => void): unknown;
  unwatch(handle: unknown): void;
  pause(handle: unknown): void;
  resume(handle: unknown): void;
  notify(socketPath: string, message: string): number;
  /** madvise(MADV_DONTNEED) on [start, start+length): 0 or -errno. Only for read-only, never-written file mappings. */
  releasePages(start: bigint, length: bigint): number;
  /** The native write lane (native/lane.c; netlink/lane.ts wraps it). */
  laneOpen(
    fd: number,
    portId: number,
    slots: Buffer[],
    hello: Buffer,
    helloReplies: number,
    helloAuth: boolean,
    path: string,
    host: string,
    port: number,
    connectTimeoutMs: number,
    onReady: () => void,
  ): unknown;
  laneStart(lane: unknown, tokens: number, burst: number, intervalMs: number): void;
  laneStop(lane: unknown): boolean;
  laneState(lane: unknown): number;
  laneTake(lane: unknown, out: Float64Array, written: Int32Array): number;
  laneRelease(lane: unknown, slot: number): void;
  laneSetPorts(lane: unknown, ifindexes: Int32Array, names: string[], state: Int32Array): void;
  laneClose(lane: unknown): void;
}

const FILE = 'portsyncd_netlink.node';

export function addonCandidates(): string[] {
  const list: string[] = [];
  if (process.env.PORTSYNCD_ADDON) list.push(process.env.PORTSYNCD_ADDON);
  if (process.argv[1]) list.push(join(dirname(process.argv[1]), FILE));
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    list.push(join(dir, 'native/build/Release', FILE), join(dir, 'daemon/native/build/Release', FILE));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return list;
}

let loaded: NativeNetlink | undefined;

export function loadNative(): NativeNetlink {
  if (loaded) return loaded;
  const path = addonCandidates().find((p) => existsSync(p));
  if (!path) throw new Error(`netlink addon ${FILE} not found; build it with "npm run build:daemon"`);
  loaded = createRequire(import.meta.url)(path) as NativeNetlink;
  return loaded;
}
