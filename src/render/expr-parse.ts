// Parser for the safe expression language of `when:` and `{{ }}` in task args: a Jinja-like subset
// (variables, literals, and/or/not, comparisons, in, is <test>, | filters, + - * / ~). No calls
// into JavaScript, no property access beyond own keys of plain data: it is never `eval`.

export type Expr =
  | { t: 'lit'; v: unknown; at: number }
  | { t: 'var'; name: string; at: number }
  | { t: 'attr'; obj: Expr; key: Expr; at: number }
  | { t: 'list'; items: Expr[]; at: number }
  | { t: 'dict'; entries: [Expr, Expr][]; at: number }
  | { t: 'not'; e: Expr; at: number }
  | { t: 'neg'; e: Expr; at: number }
  | { t: 'bin'; op: string; l: Expr; r: Expr; at: number }
  | { t: 'test'; e: Expr; name: string; args: Expr[]; negate: boolean; at: number }
  | { t: 'filter'; e: Expr; name: string; args: Expr[]; at: number };

export class ExprError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the expression. */
    readonly at: number,
  ) {
    super(message);
  }
}

interface Token {
  k: 'num' | 'str' | 'id' | 'op' | 'end';
  v: string;
  at: number;
}

const OPS = ['==', '!=', '<=', '>=', '//', '<', '>', '(', ')', '[', ']', '{', '}', ':', ',', '.', '|', '+', '-', '*', '/', '%', '~'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?/.exec(src.slice(i))!;
      out.push({ k: 'num', v: m[0], at: start });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ k: 'id', v: m[0], at: start });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) {
          const e = src[++i];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else s += src[i];
        i++;
      }
      if (i >= src.length) throw new ExprError('string is not closed', start);
      i++;
      out.push({ k: 'str', v: s, at: start });
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw new ExprError(`unexpected character "${c}"`, i);
      out.push({ k: 'op', v: op, at: start });
      i += op.length;
    }
  }
  out.push({ k: 'end', v: '', at: src.length });
  return out;
}

const LITERALS: Record<string, unknown> = { true: true, True: true, false: false, False: false, none: null, None: null, null: null };
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Expr {
    const e = this.or();
    const t = this.peek();
    if (t.k !== 'end') throw new ExprError(`unexpected "${t.v}"`, t.at);
    return e;
  }

  private peek(): Token {
    return this.toks[this.i];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t.k === 'id' && t.v === v;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.k !== 'op' || t.v !== v) throw new ExprError(`expected "${v}"${t.k === 'end' ? ' before the end' : `, found "${t.v}"`}`, t.at);
  }

  private or(): Expr {
    let l = this.and();
    while (this.isWord('or')) {
      const at = this.next().at;
      l = { t: 'bin', op: 'or', l, r: this.and(), at };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isWord('and')) {
      const at = this.next().at;
      l = { t: 'bin', op: 'and', l, r: this.not(), at };
    }
    return l;
  }
  private not(): Expr {
    if (this.isWord('not')) {
      const at = this.next().at;
      return { t: 'not', e: this.not(), at };
    }
    return this.compare();
  }
  private compare(): Expr {
    let l = this.concat();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && COMPARE.has(t.v)) {
        this.next();
        l = { t: 'bin', op: t.v, l, r: this.concat(), at: t.at };
      } else if (this.isWord('in')) {
        this.next();
        l = { t: 'bin', op: 'in', l, r: this.concat(), at: t.at };
      } else if (this.isWord('not') && this.toks[this.i + 1]?.k === 'id' && this.toks[this.i + 1].v === 'in') {
        this.i += 2;
        l = { t: 'not', e: { t: 'bin', op: 'in', l, r: this.concat(), at: t.at }, at: t.at };
      } else if (this.isWord('is')) {
        this.next();
        const negate = this.isWord('not');
        if (negate) this.next();
        const name = this.next();
        if (name.k !== 'id') throw new ExprError('expected a test name after "is" (e.g. "is defined")', name.at);
        l = { t: 'test', e: l, name: name.v, args: this.isOp('(') ? this.args() : [], negate, at: t.at };
      } else return l;
    }
  }
  private concat(): Expr {
    let l = this.add();
    while (this.isOp('~')) {
      const at = this.next().at;
      l = { t: 'bin', op: '~', l, r: this.add(), at };
    }
    return l;
  }
  private add(): Expr {
    let l = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      l = { t: 'bin', op: t.v, l, r: this.mul(), at: t.at };
    }
    return l;
  }
  private mul(): Expr {
    let l = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const t = this.next();
      l = { t: 'bin', op: t.v, l, r: this.unary(), at: t.at };
    }
    return l;
  }
  private unary(): Expr {
    if (this.isOp('-')) {
      const at = this.next().at;
      return { t: 'neg', e: this.unary(), at };
    }
    return this.filtered();
  }
  private filtered(): Expr {
    let e = this.postfix();
    while (this.isOp('|')) {
      this.next();
      const name = this.next();
      if (name.k !== 'id') throw new ExprError('expected a filter name after "|" (e.g. "| length")', name.at);
      e = { t: 'filter', e, name: name.v, args: this.isOp('(') ? this.args() : [], at: name.at };
    }
    return e;
  }
  private args(): Expr[] {
    this.expectOp('(');
    const out: Expr[] = [];
    while (!this.isOp(')')) {
      out.push(this.or());
      if (!this.isOp(')')) this.expectOp(',');
    }
    this.next();
    return out;
  }
  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const k = this.next();
        if (k.k !== 'id' && k.k !== 'num') throw new ExprError('expected a key name after "."', k.at);
        e = { t: 'attr', obj: e, key: { t: 'lit', v: k.k === 'num' ? Number(k.v) : k.v, at: k.at }, at: k.at };
      } else if (this.isOp('[')) {
        const at = this.next().at;
        const key = this.or();
        this.expectOp(']');
        e = { t: 'attr', obj: e, key, at };
      } else return e;
    }
  }
  private primary(): Expr {
    const t = this.next();
    if (t.k === 'num') return { t: 'lit', v: Number(t.v), at: t.at };
    if (t.k === 'str') return { t: 'lit', v: t.v, at: t.at };
    if (t.k === 'id') {
      if (Object.prototype.hasOwnProperty.call(LITERALS, t.v)) return { t: 'lit', v: LITERALS[t.v], at: t.at };
      if (['and', 'or', 'not', 'in', 'is'].includes(t.v)) throw new ExprError(`"${t.v}" needs a value before it`, t.at);
      return { t: 'var', name: t.v, at: t.at };
    }
    if (t.k === 'op' && t.v === '(') {
      const e = this.or();
      this.expectOp(')');
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        items.push(this.or());
        if (!this.isOp(']')) this.expectOp(',');
      }
      this.next();
      return { t: 'list', items, at: t.at };
    }
    if (t.k === 'op' && t.v === '{') {
      const entries: [Expr, Expr][] = [];
      while (!this.isOp('}')) {
        const key = this.or();
        this.expectOp(':');
        entries.push([key, this.or()]);
        if (!this.isOp('}')) this.expectOp(',');
      }
      this.next();
      return { t: 'dict', entries, at: t.at };
    }
    throw new ExprError(t.k === 'end' ? 'expression ends too early' : `unexpected "${t.v}"`, t.at);
  }
}

const cache = new Map<string, Expr | ExprError>();

/** Parsed expression (cached: the same `when` is evaluated for every host). Throws ExprError. */
export function parseExpr(src: string): Expr {
  let r = cache.get(src);
  if (!r) {
    try {
      r = new Parser(tokenize(src)).parse();
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      r = e;
    }
    cache.set(src, r);
  }
  if (r instanceof ExprError) throw r;
  return r;
}
