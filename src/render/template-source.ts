// A template file's text: a regular file, bounded in size, without the byte-order mark some
// editors write (it would otherwise land at the start of the rendered config file).
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';

/** Bounded, so that a template cannot make the plan arbitrarily large; also the output's bound. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

/** The text, or throws an Error saying why the file cannot be a template. */
export function readTemplateSource(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_TEMPLATE_BYTES) throw new Error(`over the limit of ${MAX_TEMPLATE_BYTES} bytes`);
    const text = readFileSync(fd, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } finally {
    closeSync(fd);
  }
}
