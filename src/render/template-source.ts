// A template file's text: a regular file, bounded in size, without the byte-order mark some
// editors write (it would otherwise land at the start of the rendered config file).
import { readRegular } from '../read-regular.js';

/** Bounded, so that a template cannot make the plan arbitrarily large; also the output's bound. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

/** The text, or throws an Error saying why the file cannot be a template. */
export function readTemplateSource(path: string): string {
  const text = readRegular(path, MAX_TEMPLATE_BYTES);
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
