// INI inventory values as Ansible reads them: Python's ast.literal_eval on the text, and the text
// itself when that fails. Covered: ints (1_000, 0x1F, 0o17, 0b1), floats (1e3, .5), quoted
// strings, True/False/None, lists, tuples and dicts of those, unary signs, a trailing # comment.
// Anything else (sets, complex numbers, bytes) stays the plain text. Ints beyond 2^53 stay text,
// so no digit is lost.

/** The value Ansible's INI parser gives `text`. */
export function pythonLiteral(text: string): unknown {
  const p = new LiteralParser(text);
  try {
    const v = p.value();
    p.end();
    return v;
  } catch (e) {
    if (e instanceof NotALiteral) return text;
    throw e;
  }
}

class NotALiteral extends Error {}

const INT = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0(?:_?0)*)/;
const DIGITS = '[0-9](?:_?[0-9])*';
const FLOAT = new RegExp(
  `^(?:(?:${DIGITS})?\\.${DIGITS}(?:[eE][-+]?${DIGITS})?|${DIGITS}\\.(?:[eE][-+]?${DIGITS})?|${DIGITS}[eE][-+]?${DIGITS})`,
);
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};
/** The most a literal may nest; deeper text is kept as text (bounded cost). */
const MAX_DEPTH = 32;

class LiteralParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  private fail(): never {
    throw new NotALiteral();
  }

  private skip(): void {
    for (;;) {
      while (this.i < this.s.length && ' \t\n\r\f\v'.includes(this.s[this.i])) this.i++;
      if (this.s[this.i] !== '#') return;
      while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
    }
  }

  end(): void {
    this.skip();
    if (this.i !== this.s.length) this.fail();
  }

  value(): unknown {
    this.skip();
    const c = this.s[this.i];
    if (c === undefined) this.fail();
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.string();
    if (c === '-' || c === '+') {
      this.i++;
      const v = this.value();
      if (typeof v !== 'number') this.fail();
      return c === '-' ? -v : v;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      this.fail();
    }
    return this.number();
  }

  private number(): number | string {
    const rest = this.s.slice(this.i);
    const f = FLOAT.exec(rest);
    if (f) {
      this.i += f[0].length;
      this.noNameAfter();
      return Number(f[0].replace(/_/g, ''));
    }
    const m = INT.exec(rest);
    if (!m) this.fail();
    this.i += m[0].length;
    this.noNameAfter();
    const t = m[0].replace(/_/g, '').toLowerCase();
    const n = t.startsWith('0x')
      ? parseInt(t.slice(2), 16)
      : t.startsWith('0o')
        ? parseInt(t.slice(2), 8)
        : t.startsWith('0b')
          ? parseInt(t.slice(2), 2)
          : Number(t);
    return Number.isSafeInteger(n) ? n : this.fail();
  }

  /** `0644`, `1e3x`, `12abc`: Python rejects a number run into more digits or a name. */
  private noNameAfter(): void {
    if (/[A-Za-z0-9_.]/.test(this.s[this.i] ?? '')) this.fail();
  }

  private string(): string {
    let out = '';
    // Adjacent literals concatenate, as in Python: 'a' "b" → ab.
    while (this.s[this.i] === "'" || this.s[this.i] === '"') {
      const q = this.s[this.i++];
      for (;;) {
        const c = this.s[this.i++];
        if (c === undefined || c === '\n') this.fail();
        if (c === q) break;
        if (c === '\\') {
          const e = this.s[this.i++];
          if (e === undefined) this.fail();
          out += ESCAPES[e] ?? '\\' + e;
        } else out += c;
      }
      this.skip();
    }
    return out;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail();
    this.i++;
  }

  /** A list, a tuple (a list in JSON), or a parenthesised value: `(1)` is 1, `(1,)` is [1]. */
  private sequence(close: string): unknown {
    this.enter();
    const out: unknown[] = [];
    let comma = false;
    for (;;) {
      this.skip();
      if (this.s[this.i] === close) break;
      out.push(this.value());
      this.skip();
      if (this.s[this.i] === ',') {
        this.i++;
        comma = true;
      } else if (this.s[this.i] !== close) this.fail();
    }
    this.i++;
    this.depth--;
    return close === ')' && out.length === 1 && !comma ? out[0] : out;
  }

  private dict(): Record<string, unknown> {
    this.enter();
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skip();
      if (this.s[this.i] === '}') break;
      const k = this.value();
      if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean' && k !== null) this.fail();
      this.skip();
      if (this.s[this.i++] !== ':') this.fail();
      const v = this.value();
      Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
      this.skip();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail();
    }
    this.i++;
    this.depth--;
    return out;
  }
}
