// Shell words for humans and for scripts: plain when nothing needs quoting, else the engine's
// one quoting helper.
import { shq } from '../../src/script/shell.js';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shQuote(word: string): string {
  return SAFE.test(word) ? word : shq(word);
}

export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}
