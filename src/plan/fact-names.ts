// Which of Ansible's facts a text can read, found before any host is read: a play gathers only the
// sections (src/facts/system-facts.ts) its texts name. A text names a fact as `ansible_NAME`,
// `ansible_facts.NAME` or `ansible_facts['NAME']`. Anything that could reach a fact by a name made
// while rendering reads them all: `ansible_facts` used whole or with a computed key, `hostvars` or
// `vars` used whole or with a computed variable name, a lookup other than env or file, a string that
// starts a fact's name without ending it ('ansible_' ~ name). Strings in task args and variables are
// read both as Jinja2 and as a bare expression, since a module may evaluate one (`debug: var=`,
// `assert: that:`).
import { FACT_SECTIONS, type SystemSection } from '../facts/system-facts.js';
import { parseExpr, type Expr } from '../render/expr-parse.js';
import { parseJinja, type Node } from '../render/jinja-text.js';

/** The sections a text reads; `all` when it may read any fact. */
export interface FactUse {
  all: boolean;
  sections: Set<SystemSection>;
}

export const noFactUse = (): FactUse => ({ all: false, sections: new Set() });
/** What a text reads when it may read any fact. */
export const anyFactUse = (): FactUse => ({ all: true, sections: new Set() });

/** Adds what `more` reads to `use`. */
export function addFactUse(use: FactUse, more: FactUse): FactUse {
  use.all ||= more.all;
  // Most texts read no fact: their empty set is not walked.
  if (more.sections.size) for (const s of more.sections) use.sections.add(s);
  return use;
}

/** Variable names of the facts: ansible_hostname, …, and ansible_facts itself. */
const FACT_VARS = new Set(Object.keys(FACT_SECTIONS).map((k) => `ansible_${k}`));
/** Texts that can name no fact at all are not parsed. */
const MAY_NAME_FACTS = /ansible_|vars|lookup|query|\bq\s*\(/;
/** Words that can reach a fact in text that is not parsed as an expression. */
const WORD = /\b(ansible_\w*)|\b(hostvars|vars)\s*[[.]|\b(lookup|query|q)\s*\(/g;
/** What follows `ansible_facts` when it names one fact: `.NAME` (not a method) or `['NAME']`. */
const LITERAL_KEY = /^\s*(?:\.\s*(\w+)\b(?!\s*\()|\[\s*(['"])(\w+)\2\s*\])/;

class Reader {
  readonly use = noFactUse();

  fact(key: string): void {
    for (const s of FACT_SECTIONS[key] ?? []) this.use.sections.add(s);
  }

  /** A variable read by its literal name. */
  variable(name: string): void {
    if (name === 'ansible_facts' || name === 'hostvars' || name === 'vars') this.use.all = true;
    else if (FACT_VARS.has(name)) this.fact(name.slice('ansible_'.length));
  }

  /** Text that may end up evaluated as an expression or used as a name: word by word. */
  words(text: string): void {
    if (!MAY_NAME_FACTS.test(text)) return;
    for (const m of text.matchAll(WORD)) {
      const word = m[1];
      if (word === undefined)
        this.use.all = true; // hostvars[…], vars.…, lookup(…)
      else if (word === 'ansible_facts') {
        const key = LITERAL_KEY.exec(text.slice(m.index + word.length));
        if (key) this.fact(key[1] ?? key[3]!);
        else this.use.all = true;
      } else {
        const end = m.index + word.length === text.length;
        // A fact's name, unless it could be the start of a longer one put together ('ansible_kernel' ~ '_version').
        if (FACT_VARS.has(word) && !(end && startsLonger(word))) this.fact(word.slice('ansible_'.length));
        else if (startsLonger(word)) this.use.all = true;
      }
    }
  }

  /** A string that may be a Jinja2 template, a bare expression, or both. */
  text(text: string, evaluated: boolean): void {
    if (!MAY_NAME_FACTS.test(text)) return;
    const templated = /\{[{%#]/.test(text);
    if (evaluated && !templated) {
      const e = tryParse(() => parseExpr(text.trim()));
      if (e) this.expr(e, true);
      else this.words(text);
      return;
    }
    const nodes = tryParse(() => parseJinja(text));
    if (nodes) this.nodes(nodes, evaluated);
    else this.words(text);
  }

  nodes(nodes: Node[], evaluated: boolean): void {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          // Output text: evaluated only where the whole string may be.
          if (evaluated) this.words(n.s);
          break;
        case 'out':
        case 'set':
          this.expr(n.e, evaluated);
          break;
        case 'if':
          for (const b of n.branches) {
            this.expr(b.cond, evaluated);
            this.nodes(b.body, evaluated);
          }
          if (n.else) this.nodes(n.else, evaluated);
          break;
        case 'for':
          this.expr(n.iter, evaluated);
          this.nodes(n.body, evaluated);
          if (n.else) this.nodes(n.else, evaluated);
          break;
      }
    }
  }

  /** `strings`: string literals may be used as names later (a variable that a module evaluates). */
  expr(e: Expr, strings: boolean): void {
    const name = literalName(e);
    if (name !== undefined) {
      // hostvars[HOST]['name']: the host is an expression of its own.
      if (e.t === 'attr' && e.obj.t === 'attr') this.expr(e.obj.key, strings);
      return this.variable(name);
    }
    switch (e.t) {
      case 'lit':
        if (strings && typeof e.v === 'string') this.words(e.v);
        return;
      case 'var':
        return this.variable(e.name);
      case 'attr': {
        const facts = literalName(e.obj) === 'ansible_facts';
        if (facts && e.key.t === 'lit' && typeof e.key.v === 'string') return this.fact(e.key.v);
        // hostvars[host] and vars: the next key names the variable; a computed one may name any.
        if (isVar(e.obj, 'vars') || isVar(e.obj, 'hostvars') || isHostvarsEntry(e.obj) || facts) this.use.all = true;
        this.expr(e.obj, strings);
        return this.expr(e.key, strings);
      }
      case 'call':
        if ((e.name === 'lookup' || e.name === 'query' || e.name === 'q') && !readsNoVariables(e.args[0])) this.use.all = true;
        return this.all(e.args, e.kw, strings);
      case 'list':
        return this.all(e.items, undefined, strings);
      case 'dict':
        return this.all(e.entries.flat(), undefined, strings);
      case 'not':
      case 'neg':
        return this.expr(e.e, strings);
      case 'bin':
        return this.all([e.l, e.r], undefined, strings);
      case 'cond':
        return this.all([e.cond, e.then, ...(e.else ? [e.else] : [])], undefined, strings);
      case 'test':
      case 'filter':
        return this.all([e.e, ...e.args], e.kw, strings);
      case 'method':
        return this.all([e.obj, ...e.args], e.kw, strings);
    }
  }

  private all(es: Expr[], kw: [string, Expr][] | undefined, strings: boolean): void {
    for (const x of [...es, ...(kw ?? []).map(([, v]) => v)]) this.expr(x, strings);
  }
}

/** The variable `e` reads by a literal name: `name`, `vars['name']`, `hostvars[host]['name']`. */
function literalName(e: Expr): string | undefined {
  if (e.t === 'var') return e.name === 'hostvars' || e.name === 'vars' ? undefined : e.name;
  if (e.t !== 'attr' || e.key.t !== 'lit' || typeof e.key.v !== 'string') return undefined;
  return isVar(e.obj, 'vars') || isHostvarsEntry(e.obj) ? e.key.v : undefined;
}

/** A lookup of the environment or a file's text, which is never rendered; any other one (vars,
 *  template, or a plugin named by an expression) may read a fact by a name the texts do not show. */
const readsNoVariables = (plugin: Expr | undefined) => plugin?.t === 'lit' && (plugin.v === 'env' || plugin.v === 'file');

const isVar = (e: Expr, name: string) => e.t === 'var' && e.name === name;
const isHostvarsEntry = (e: Expr) => e.t === 'attr' && isVar(e.obj, 'hostvars');

/** `word` (ansible_…) is the start of a longer fact name. */
const startsLonger = (word: string) => [...FACT_VARS, 'ansible_facts'].some((v) => v.length > word.length && v.startsWith(word));

function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

/** What a string reads. `evaluated`: it may be evaluated as an expression (task args, `when`,
 *  variables); a template file's text is only output. */
export function factUseOfText(text: string, evaluated: boolean): FactUse {
  const r = new Reader();
  r.text(text, evaluated);
  return r.use;
}

/** What a Handlebars template reads: word by word (its helpers can look a name up, `lookup`). */
export function factUseOfWords(text: string): FactUse {
  const r = new Reader();
  r.words(text);
  if (/\blookup\b/.test(text)) r.use.all = true;
  return r.use;
}
