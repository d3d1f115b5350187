// Atomic file transfer: a temp file beside the target, fsync, chmod, then rename over it.
// A cut connection leaves at most `.<name>.psd-tmp-<rand>`, never a partial target.
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';

const CHUNK = 32 * 1024;
/** Writes in flight at once: keeps the pipe full over a high-latency bastion hop. */
const WINDOW = 32;

export function tempPathFor(remotePath: string): string {
  return posix.join(posix.dirname(remotePath), `.${posix.basename(remotePath)}.psd-tmp-${randomBytes(4).toString('hex')}`);
}

export function parseMode(mode: string): number {
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new Error(`file mode "${mode}" is not octal, e.g. "0644"`);
  return parseInt(mode, 8);
}

/** Upload over SFTP as the login user. */
export async function sftpAtomicUpload(
  sftp: SFTPWrapper,
  local: FileHandle,
  size: number,
  remotePath: string,
  mode: number,
): Promise<void> {
  const tmp = tempPathFor(remotePath);
  const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
  let open = true;
  try {
    await writeAll(sftp, handle, local, size);
    await fsync(sftp, handle);
    // Explicitly, since the mode given at open is filtered through the server's umask.
    await call((cb) => sftp.fchmod(handle, mode, cb));
    open = false;
    await call((cb) => sftp.close(handle, cb));
    await call((cb) => sftp.ext_openssh_rename(tmp, remotePath, cb)).catch((e: Error) => {
      throw new Error(`cannot rename ${tmp} over ${remotePath}: ${e.message}`);
    });
  } catch (e) {
    // Best effort: when the connection itself is gone this fails, and the recognisable temp file stays.
    if (open) await call((cb) => sftp.close(handle, cb)).catch(() => {});
    await call((cb) => sftp.unlink(tmp, cb)).catch(() => {});
    throw e;
  }
}

async function writeAll(sftp: SFTPWrapper, handle: Buffer, local: FileHandle, size: number): Promise<void> {
  const inflight = new Set<Promise<void>>();
  for (let offset = 0; offset < size;) {
    const len = Math.min(CHUNK, size - offset);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await local.read(buf, 0, len, offset);
    if (bytesRead !== len) throw new Error('the local file shrank while it was being uploaded');
    const at = offset;
    const p: Promise<void> = call((cb) => sftp.write(handle, buf, 0, len, at, cb)).then(() => {
      inflight.delete(p);
    });
    p.catch(() => {}); // observed by race/all below; this keeps a late failure from going unhandled
    inflight.add(p);
    offset += len;
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

async function fsync(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  try {
    await call((cb) => sftp.ext_openssh_fsync(handle, cb));
  } catch (e) {
    // ssh2 throws synchronously when the server does not offer fsync@openssh.com; then the rename is still atomic.
    if (!/not support/i.test((e as Error).message)) throw e;
  }
}

/**
 * The same steps for become: the file travels on stdin of a sudo'd shell that writes the temp file,
 * checks the byte count (a cut stream ends early and must not be renamed into place), fsyncs, then renames.
 * $1 target, $2 temp, $3 mode, $4 size.
 */
export const BECOME_UPLOAD_SCRIPT = `t=$2
trap 'rm -f "$t"' EXIT
trap 'rm -f "$t"; exit 1' HUP INT PIPE TERM
umask 077
cat > "$t" || exit 1
n=$(wc -c < "$t")
# The temp file goes first: with the connection gone, writing the message may raise SIGPIPE.
if [ "$n" -ne "$4" ]; then rm -f "$t"; echo "upload of $1 cut short: $n of $4 bytes arrived" >&2; exit 1; fi
chmod "$3" "$t" || exit 1
sync "$t" 2>/dev/null || sync
mv -f "$t" "$1"`;

function call<T = void>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, v) => (err ? reject(err) : resolve(v as T)));
    } catch (e) {
      reject(e as Error);
    }
  });
}
