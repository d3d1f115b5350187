// Parser for the safe expression language of `when:`, `{{ }}` and `.j2` files: Jinja2's expressions
// (variables, literals, and/or/not, comparisons, in, is <test>, | filters, + - * / // % ** ~,
// inline `a if b else c`, and calls of the few named globals such as range() and lookup()).
// No calls into JavaScript, no property access beyond own keys of plain data: it is never `eval`.

export type Expr =
  | { t: 'lit'; v: unknown; at: number }
  | { t: 'var'; name: string; at: number }
  | { t: 'attr'; obj: Expr; key: Expr; at: number }
  | { t: 'list'; items: Expr[]; at: number }
  | { t: 'dict'; entries: [Expr, Expr][]; at: number }
  | { t: 'not'; e: Expr; at: number }
  | { t: 'neg'; e: Expr; at: number }
  | { t: 'bin'; op: string; l: Expr; r: Expr; at: number }
  | { t: 'test'; e: Expr; name: string; args: Expr[]; kw?: Kwargs; negate: boolean; at: number }
  | { t: 'filter'; e: Expr; name: string; args: Expr[]; kw?: Kwargs; at: number }
  | { t: 'cond'; then: Expr; cond: Expr; else?: Expr; at: number }
  /** A call of a named global (range, lookup); the evaluator knows which names exist. */
  | { t: 'call'; name: string; args: Expr[]; kw?: Kwargs; at: number }
  /** `.items()`, `.split(',')`: a Python method from the evaluator's short list, on plain data. */
  | { t: 'method'; obj: Expr; name: string; args: Expr[]; kw?: Kwargs; at: number };

/** Keyword arguments of a call, filter or test (`sort(attribute='x')`). */
export type Kwargs = [string, Expr][];

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

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '//',
  '**',
  '=',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '.',
  '|',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
];

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
    const e = this.cond();
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

  /** `a if b else c`, the lowest precedence; without `else` the value is none. */
  private cond(): Expr {
    const e = this.or();
    if (!this.isWord('if')) return e;
    const at = this.next().at;
    const cond = this.or();
    if (!this.isWord('else')) return { t: 'cond', then: e, cond, at };
    this.next();
    return { t: 'cond', then: e, cond, else: this.cond(), at };
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
        l = { t: 'test', e: l, name: name.v, ...this.testArgs(), negate, at: t.at };
      } else return l;
    }
  }
  /** A test's argument: in parentheses, or one bare value (`is divisibleby 3`, `is in groups.spine`). */
  private testArgs(): { args: Expr[]; kw?: Kwargs } {
    if (this.isOp('(')) return this.args();
    const t = this.peek();
    const startsValue =
      t.k === 'num' ||
      t.k === 'str' ||
      (t.k === 'id' && !['and', 'or', 'if', 'else', 'is', 'in', 'not'].includes(t.v)) ||
      (t.k === 'op' && (t.v === '[' || t.v === '{'));
    return startsValue ? { args: [this.concat()] } : { args: [] };
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
    return this.pow();
  }
  private pow(): Expr {
    const l = this.filtered();
    if (!this.isOp('**')) return l;
    const at = this.next().at;
    return { t: 'bin', op: '**', l, r: this.unary(), at };
  }
  private filtered(): Expr {
    let e = this.postfix();
    while (this.isOp('|')) {
      this.next();
      const name = this.next();
      if (name.k !== 'id') throw new ExprError('expected a filter name after "|" (e.g. "| length")', name.at);
      e = { t: 'filter', e, name: name.v, ...this.maybeArgs(), at: name.at };
    }
    return e;
  }
  private args(): { args: Expr[]; kw?: Kwargs } {
    this.expectOp('(');
    const args: Expr[] = [];
    const kw: Kwargs = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      const n = this.toks[this.i + 1];
      if (t.k === 'id' && n?.k === 'op' && n.v === '=') {
        this.i += 2;
        kw.push([t.v, this.cond()]);
      } else {
        if (kw.length) throw new ExprError('a positional argument may not follow a keyword argument', t.at);
        args.push(this.cond());
      }
      if (!this.isOp(')')) this.expectOp(',');
    }
    this.next();
    return kw.length ? { args, kw } : { args };
  }
  private maybeArgs(): { args: Expr[]; kw?: Kwargs } {
    return this.isOp('(') ? this.args() : { args: [] };
  }
  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const k = this.next();
        if (k.k !== 'id' && k.k !== 'num') throw new ExprError('expected a key name after "."', k.at);
        if (k.k === 'id' && this.isOp('(')) e = { t: 'method', obj: e, name: k.v, ...this.args(), at: k.at };
        else e = { t: 'attr', obj: e, key: { t: 'lit', v: k.k === 'num' ? Number(k.v) : k.v, at: k.at }, at: k.at };
      } else if (this.isOp('[')) {
        const at = this.next().at;
        const key = this.cond();
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
      if (['and', 'or', 'not', 'in', 'is', 'if', 'else'].includes(t.v)) throw new ExprError(`"${t.v}" needs a value before it`, t.at);
      if (this.isOp('(')) return { t: 'call', name: t.v, ...this.args(), at: t.at };
      return { t: 'var', name: t.v, at: t.at };
    }
    if (t.k === 'op' && t.v === '(') {
      const e = this.cond();
      this.expectOp(')');
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        items.push(this.cond());
        if (!this.isOp(']')) this.expectOp(',');
      }
      this.next();
      return { t: 'list', items, at: t.at };
    }
    if (t.k === 'op' && t.v === '{') {
      const entries: [Expr, Expr][] = [];
      while (!this.isOp('}')) {
        const key = this.cond();
        this.expectOp(':');
        entries.push([key, this.cond()]);
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
