// The daemon's last-known port state, saved asynchronously and atomically:
// temp file in the same folder, fsync, rename.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PortState } from './core/port.js';

export interface SavedState {
  version: 1;
  savedAt: string;
  ports: PortState[];
}

/**
 * A write buffer reused by every save. A fresh buffer per save outlives many young-generation
 * collections during the asynchronous write, so it is promoted and, as external memory, freed
 * only by a rare full collection: the resident set crept by one state file per save.
 */
export class SaveBuffer {
  private buf = Buffer.allocUnsafeSlow(16 << 10);

  /** The text's UTF-8 bytes, valid until the next call. */
  encode(text: string): Buffer {
    const bytes = Buffer.byteLength(text);
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(bytes)));
    this.buf.write(text, 0, bytes);
    return this.buf.subarray(0, bytes);
  }
}

export async function saveState(file: string, ports: Iterable<PortState>, scratch = new SaveBuffer()): Promise<void> {
  const body: SavedState = { version: 1, savedAt: new Date().toISOString(), ports: [...ports] };
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    const bytes = scratch.encode(JSON.stringify(body));
    for (let done = 0; done < bytes.length;) done += (await fh.write(bytes, done, bytes.length - done, done)).bytesWritten;
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** The saved ports, or undefined when there is no readable state file. */
export async function loadState(file: string): Promise<Map<string, PortState> | undefined> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as SavedState;
    if (doc.version !== 1 || !Array.isArray(doc.ports)) return undefined;
    return new Map(doc.ports.map((p) => [p.name, p]));
  } catch {
    return undefined;
  }
}

/** Saves at most once per interval while changes keep coming; one write at a time. */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private readonly scratch = new SaveBuffer();
  failures = 0;

  constructor(
    private readonly file: string,
    private readonly intervalMs: number,
    private readonly snapshot: () => Iterable<PortState>,
    private readonly onError: (e: Error) => void,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (!this.timer && !this.writing) this.timer = setTimeout(() => void this.flush(), this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = saveState(this.file, this.snapshot(), this.scratch).catch((e: Error) => {
      this.failures++;
      this.onError(e);
    });
    await this.writing;
    this.writing = undefined;
    if (this.dirty) this.markDirty();
  }
}
