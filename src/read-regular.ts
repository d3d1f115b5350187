// A user's file read at a bounded cost: a regular file only, up to a size. It is opened without
// blocking, since opening a FIFO for reading otherwise waits forever for a writer; a folder, a
// device (/dev/zero never ends) or a FIFO is then refused by what fstat says it is.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** Why a file cannot be opened, in words a user reads instead of Node's "ENOENT: …, open '…'". */
const OPEN_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a folder on its path is a file',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** The file's text, or throws an Error saying why it cannot be read (to follow the file's name). */
export function readRegular(file: string, maxBytes: number): string {
  return readRegularBytes(file, maxBytes).toString('utf8');
}

/** The file's bytes, refused as readRegular refuses. A file that cannot be opened throws an
 *  Error in plain words that keeps Node's `code` (ENOENT for a missing file). */
export function readRegularBytes(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw Object.assign(new Error(readFailure(e)), { code: (e as NodeJS.ErrnoException).code });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new Error('it is a directory, not a file');
    if (!st.isFile()) throw new Error('it is not a regular file');
    if (st.size > maxBytes) throw new Error(`it holds ${st.size} bytes; the limit is ${maxBytes}`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Why a read of a file on this machine failed, in plain words ("no such file", not "ENOENT: …"). */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && OPEN_FAILURES[code]) ?? code ?? (e as Error).message;
}

/** True when `e` (from a read) says the file is not there. */
export function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The one wording for a file that is not there: the name asked for and every folder looked in. */
export function noSuchFile(name: string, lookedIn: string[]): string {
  return `no such file: ${name} (looked in: ${lookedIn.join(', ')})`;
}
