// A user's file read at a bounded cost: a regular file only, up to a size. It is opened without
// blocking, since opening a FIFO for reading otherwise waits forever for a writer; a folder, a
// device (/dev/zero never ends) or a FIFO is then refused by what fstat says it is.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** The file's text, or throws an Error saying why it cannot be read (to follow the file's name). */
export function readRegular(file: string, maxBytes: number): string {
  return readRegularBytes(file, maxBytes).toString('utf8');
}

/** The file's bytes, refused as readRegular refuses. */
export function readRegularBytes(file: string, maxBytes: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
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
