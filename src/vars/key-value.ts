// `-e "key=value …"` read as ansible-playbook reads it: words split at spaces and line ends except
// inside quotes or a Jinja2 block ({{ }}, {% %}, {# #}); Python escapes (\n, \t, \x41, \u00e9,
// \", \\) decoded; a word's first unescaped "=" after its first character parts key from value,
// both trimmed; one pair of matching quotes around the value removed. Words with no "=" are
// Ansible's `_raw_params`, joined with spaces. An unclosed quote or block throws.

const BLOCKS = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['{#', '#}'],
] as const;

export class UnclosedError extends Error {}

/** The quote still open after `token`, given the one open before it. */
function quoteAfter(token: string, open: string | undefined): string | undefined {
  let q = open;
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    if ((c !== '"' && c !== "'") || (i > 0 && token[i - 1] === '\\')) continue;
    if (q === undefined) q = c;
    else if (q === c) q = undefined;
  }
  return q;
}

const count = (text: string, part: string) => text.split(part).length - 1;

/** The words of `text`, quotes and blocks kept in them. */
export function splitKeyValueWords(text: string): string[] {
  const words: string[] = [];
  const depth = [0, 0, 0];
  let quote: string | undefined;
  const lines = text.split('\n');
  lines.forEach((line, lineNo) => {
    const tokens = line.split(' ');
    let continued = false;
    tokens.forEach((token, i) => {
      // A run of spaces: kept in the word before it (trimmed away from a key or value).
      if (token === '' && i > 0) {
        if (words.length) words[words.length - 1] += ' ';
        return;
      }
      if (token === '\\' && quote === undefined) {
        continued = true;
        return;
      }
      const inBlock = depth.some((d) => d > 0);
      const wasQuoted = quote !== undefined;
      quote = quoteAfter(token, quote);
      let placed = false;
      if (quote !== undefined && !wasQuoted && !inBlock) {
        words.push(token);
        placed = true;
      } else if (inBlock || quote !== undefined || wasQuoted) {
        const sep = i === 0 && wasQuoted ? '' : tokens.length > 1 ? (i > 0 ? ' ' : '') : '\n';
        words[words.length - 1] += sep + token;
        placed = true;
      }
      BLOCKS.forEach(([open, close], b) => {
        const before = depth[b]!;
        const opened = count(token, open) - count(token, close);
        if (opened !== 0) depth[b] = Math.max(0, before + opened);
        if (depth[b] !== before && !placed) {
          words.push(token);
          placed = true;
        }
      });
      if (!placed && token !== '' && quote === undefined && depth.every((d) => d === 0)) words.push(token);
    });
    if (lineNo < lines.length - 1 && !continued && words.length) words[words.length - 1] += '\n';
  });
  if (quote !== undefined || depth.some((d) => d > 0))
    throw new UnclosedError('a quote or a Jinja2 block ({{ }}, {% %}, {# #}) is not closed');
  return words;
}

const ESCAPE = /\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\'"abfnrtv])/g;
const SINGLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(word: string): string {
  return word.replace(ESCAPE, (whole, e: string) => {
    if (e.length === 1) return SINGLE[e] ?? e;
    const code = parseInt(e.slice(1), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function unquote(v: string): string {
  const q = v[0];
  return v.length > 1 && (q === '"' || q === "'") && v.at(-1) === q && v.at(-2) !== '\\' ? v.slice(1, -1) : v;
}

/** The pairs of `text`, in order (a later key wins), and the words that are no pair. */
export function parseKeyValues(text: string): { pairs: [string, string][]; raw: string[] } {
  const pairs: [string, string][] = [];
  const raw: string[] = [];
  for (const word of splitKeyValueWords(text)) {
    const w = decodeEscapes(word);
    let eq = w.indexOf('=', 1);
    while (eq > 0 && w[eq - 1] === '\\') eq = w.indexOf('=', eq + 1);
    if (!w.includes('=')) raw.push(word);
    else if (eq < 0) raw.push(w.replaceAll('\\=', '='));
    else pairs.push([w.slice(0, eq).trim(), unquote(w.slice(eq + 1).trim())]);
  }
  return { pairs, raw };
}

/** Ansible's join of the free words: a space between, none after a line end. */
export function joinRaw(words: string[]): string {
  return words.reduce((out, w) => (out === '' || out.endsWith('\n') ? out + w : `${out} ${w}`), '');
}
