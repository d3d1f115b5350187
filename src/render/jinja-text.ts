// Jinja2 text templates (`.j2` files, and arg strings that hold `{% %}`): `{{ }}` output,
// `{% if/elif/else %}`, `{% for … in … %}` with `loop.*`, `{% set %}`, `{% raw %}` and `{# #}`,
// with `-` whitespace control and Ansible's template settings (trim_blocks on, lstrip_blocks off,
// the trailing newline kept). Expressions are the safe language of expr-parse.ts.
import { ExprError, parseExpr, type Expr } from './expr-parse.js';

export type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; e: Expr; at: number; src: string }
  | { t: 'if'; branches: { cond: Expr; at: number; src: string; body: Node[] }[]; else?: Node[] }
  | { t: 'for'; names: string[]; iter: Expr; at: number; src: string; body: Node[]; else?: Node[] }
  | { t: 'set'; name: string; e: Expr; at: number; src: string };

/** A syntax or evaluation error at an offset of the template source. */
export class JinjaError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

interface Tag {
  kind: 'text' | 'out' | 'stmt';
  body: string;
  /** Offset of the body's first character (for expression columns). */
  at: number;
}

const OPEN = /\{\{|\{%|\{#/g;

function findClose(src: string, from: number, close: string): number {
  let quote: string | undefined;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (src.startsWith(close, i)) return i;
  }
  return -1;
}

/** Splits the source into text and tags, applying whitespace control and trim_blocks. */
function lex(src: string): Tag[] {
  const tags: Tag[] = [];
  let pos = 0;
  let trimNext = false;
  let newlineNext = false;
  const pushText = (s: string, at: number) => {
    let text = s;
    if (trimNext) text = text.replace(/^\s+/, '');
    else if (newlineNext) text = text.replace(/^\r?\n/, '');
    trimNext = newlineNext = false;
    tags.push({ kind: 'text', body: text, at });
  };
  for (;;) {
    OPEN.lastIndex = pos;
    const m = OPEN.exec(src);
    if (!m) {
      pushText(src.slice(pos), pos);
      return tags;
    }
    const start = m.index;
    const close = m[0] === '{{' ? '}}' : m[0] === '{%' ? '%}' : '#}';
    let text = src.slice(pos, start);
    let bodyStart = start + 2;
    if (src[bodyStart] === '-') {
      text = text.replace(/\s+$/, '');
      bodyStart++;
    }
    pushText(text, pos);
    const end = m[0] === '{#' ? src.indexOf('#}', bodyStart) : findClose(src, bodyStart, close);
    if (end < 0) throw new JinjaError(`"${m[0]}" is not closed with "${close}"`, start);
    let body = src.slice(bodyStart, end);
    if (body.endsWith('-')) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    pos = end + 2;
    if (m[0] === '{#') {
      newlineNext = !trimNext;
      continue;
    }
    if (m[0] === '{%' && /^\s*raw\s*$/.test(body)) {
      const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
      endRaw.lastIndex = pos;
      const r = endRaw.exec(src);
      if (!r) throw new JinjaError('"{% raw %}" has no "{% endraw %}"', start);
      pushText(src.slice(pos, r.index), pos);
      pos = r.index + r[0].length;
      newlineNext = true;
      continue;
    }
    tags.push({ kind: m[0] === '{{' ? 'out' : 'stmt', body, at: bodyStart });
    if (m[0] === '{%') newlineNext = !trimNext;
  }
}

function expr(src: string, at: number): Expr {
  // Leading whitespace shifts the column of errors; parse the trimmed text from its own offset.
  const lead = src.length - src.trimStart().length;
  try {
    return parseExpr(src.trim());
  } catch (e) {
    if (e instanceof ExprError) throw new JinjaError(e.message, at + lead + e.at);
    throw e;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tags: Tag[]) {}

  /** Nodes until one of `stops` (a statement keyword); returns the stop's tag too. */
  body(stops: string[]): { nodes: Node[]; stop?: { word: string; rest: string; at: number } } {
    const nodes: Node[] = [];
    while (this.i < this.tags.length) {
      const tag = this.tags[this.i++];
      if (tag.kind === 'text') {
        if (tag.body) nodes.push({ t: 'text', s: tag.body });
        continue;
      }
      if (tag.kind === 'out') {
        nodes.push({ t: 'out', e: expr(tag.body, tag.at), at: tag.at, src: tag.body.trim() });
        continue;
      }
      const m = /^\s*(\w+)\s*([\s\S]*?)\s*$/.exec(tag.body);
      if (!m) throw new JinjaError('empty "{% %}" statement', tag.at);
      const [, word, rest] = m;
      const restAt = tag.at + tag.body.indexOf(rest || word);
      if (stops.includes(word)) return { nodes, stop: { word, rest, at: restAt } };
      nodes.push(this.statement(word, rest, restAt, tag.at));
    }
    if (stops.length) throw new JinjaError(`missing "{% ${stops.at(-1)} %}"`, this.tags.at(-1)?.at ?? 0);
    return { nodes };
  }

  private statement(word: string, rest: string, at: number, tagAt: number): Node {
    switch (word) {
      case 'if': {
        const branches: { cond: Expr; at: number; src: string; body: Node[] }[] = [];
        let cond = { src: rest, at };
        for (;;) {
          const { nodes, stop } = this.body(['elif', 'else', 'endif']);
          branches.push({ cond: expr(cond.src, cond.at), at: cond.at, src: cond.src, body: nodes });
          if (stop!.word === 'elif') cond = { src: stop!.rest, at: stop!.at };
          else if (stop!.word === 'else') return { t: 'if', branches, else: this.body(['endif']).nodes };
          else return { t: 'if', branches };
        }
      }
      case 'for': {
        const m = /^(\w+)(?:\s*,\s*(\w+))?\s+in\s+([\s\S]+)$/.exec(rest);
        if (!m) throw new JinjaError('expected "{% for NAME in EXPRESSION %}"', at);
        const iterAt = at + rest.indexOf(m[3], m[0].length - m[3].length);
        const { nodes, stop } = this.body(['else', 'endfor']);
        const node: Node = { t: 'for', names: m[2] ? [m[1], m[2]] : [m[1]], iter: expr(m[3], iterAt), at: iterAt, src: m[3], body: nodes };
        if (stop!.word === 'else') node.else = this.body(['endfor']).nodes;
        return node;
      }
      case 'set': {
        const m = /^(\w+)\s*=\s*([\s\S]+)$/.exec(rest);
        if (!m) throw new JinjaError('expected "{% set NAME = EXPRESSION %}"', at);
        const eAt = at + rest.length - m[2].length;
        return { t: 'set', name: m[1], e: expr(m[2], eAt), at: eAt, src: m[2] };
      }
    }
    throw new JinjaError(`"{% ${word} %}" is not supported here; supported: if, for, set, raw`, tagAt);
  }
}

const cache = new Map<string, Node[]>();

/** Parsed template (cached per source text). Throws JinjaError. */
export function parseJinja(src: string): Node[] {
  let nodes = cache.get(src);
  if (!nodes) {
    nodes = new Parser(lex(src)).body([]).nodes;
    if (cache.size > 500) cache.clear();
    cache.set(src, nodes);
  }
  return nodes;
}

/** 1-based line and column of an offset. */
export function lineCol(src: string, offset: number): { line: number; col: number } {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}
