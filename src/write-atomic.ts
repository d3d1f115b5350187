// A local file replaced whole: the content goes to a temporary file beside it, which is then
// renamed over it, so a reader (Prometheus reading its targets, a browser, the next run) never
// sees half a file, and a failed write leaves the old file and no temporary one.
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to `file` atomically, with exactly `mode` when given (not narrowed by the umask). */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    // Made anew ('wx'): a link someone left at the temporary name is never written through.
    rmSync(temp, { force: true });
    writeFileSync(temp, data, { flag: 'wx', ...(mode === undefined ? {} : { mode }) });
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
