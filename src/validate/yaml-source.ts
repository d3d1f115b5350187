// YAML → plain objects, with every key's source position recorded in src/source-map.ts.
// Parsed as YAML 1.1 like Ansible (merge keys), with plain scalars resolved as PyYAML resolves
// them, so values mean what they mean to Ansible (see yaml11-scalars.ts).
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { SourcePos } from '../module.js';
import type { Problem } from '../errors.js';
import { recordOwnPos, recordPos, posOf } from '../source-map.js';
import { ValidationError } from '../errors.js';
import { isVaultText } from '../vault/format.js';
import { openVault } from '../vault/keyring.js';
import { secrets } from '../secrets/redact.js';
import { isMissing, readRegular } from '../read-regular.js';
import { copyUnsafe, markRaw, markUnsafe } from '../raw-data.js';
import { resolvePlainScalar } from './yaml11-scalars.js';
import { cachedParse } from './yaml-cache.js';
import { openSealed, seal, type SealedValues } from './sealed-values.js';

export interface YamlLoad {
  value: unknown;
  problems: Problem[];
  /** The file could not be read at all (its one problem says why); `missing`: it is not there. */
  unread?: { missing: boolean };
}

const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'YAML indentation must use spaces, not tabs',
  BAD_INDENT: 'check that keys of one mapping line up in the same column',
  MISSING_CHAR: 'a quote or bracket is not closed',
  BLOCK_AS_IMPLICIT_KEY: 'a key is followed by a nested block on the same line; put the block on the next line',
  MULTILINE_IMPLICIT_KEY: 'a key spans lines: quote it or add the missing ":"',
  UNEXPECTED_TOKEN: 'check the punctuation near this position (":", "-", quotes)',
};

/** Bounds on what one YAML file may cost: bytes read, nesting, and values after alias expansion
 *  (a kilobyte of nested aliases can otherwise stand for billions of values). */
export const YAML_LIMITS = { bytes: 4 * 1024 * 1024, depth: 100, values: 100_000 } as const;

export function loadYamlFile(file: string): YamlLoad {
  let text: string;
  try {
    text = readRegular(file, YAML_LIMITS.bytes);
  } catch (e) {
    const missing = isMissing(e);
    const message = missing ? `no such file: ${file}` : `cannot read ${file}: ${(e as Error).message}`;
    return { value: undefined, problems: [{ message, pos: { file, line: 1, col: 1 } }], unread: { missing } };
  }
  if (!isVaultText(text)) return parseYamlFile(text, file);
  // A vault-encrypted file (Ansible's `ansible-vault encrypt`): every value in it is a secret.
  let plain: string;
  try {
    plain = openVault(text, { file, line: 1, col: 1 }, false);
  } catch (e) {
    if (e instanceof ValidationError) return { value: undefined, problems: e.problems };
    throw e;
  }
  const loaded = parseYaml(plain, file);
  secrets.addAll(loaded.value);
  return loaded;
}

/** The tags Ansible's loader knows besides YAML's own (`!!str`, …); any other is a mistake, not data. */
const KNOWN_TAGS = new Set(['!unsafe', '!vault', '!vault-encrypted']);

/** parseYaml of a file's text, as an earlier run parsed that same text where it can
 *  (yaml-cache.ts). What is kept is the parse before its vault values are opened. */
export function parseYamlFile(text: string, file: string): YamlLoad {
  let load: SealedLoad | undefined;
  const parsed = cachedParse(text, file, () => {
    load = parseYamlSealed(text, file);
    return { value: load.value, keep: !load.problems.length && !load.unsealable, sealed: load.sealed };
  });
  const problems = load?.problems ?? [];
  problems.push(...openSealed(parsed.sealed));
  return { value: parsed.value, problems };
}

export function parseYaml(source: string, file: string): YamlLoad {
  const load = parseYamlSealed(source, file);
  load.problems.push(...openSealed(load.sealed));
  return { value: load.value, problems: load.problems };
}

/** A parse whose `!vault` values are still the ciphertext, at the places `sealed` notes. */
export interface SealedLoad extends YamlLoad {
  sealed: SealedValues;
  /** The document is a vault value alone, opened already: never kept. */
  unsealable?: boolean;
}

export function parseYamlSealed(source: string, file: string): SealedLoad {
  // A byte-order mark some editors write is not content.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, version: '1.1', prettyErrors: false });
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  // Syntax errors cascade; the first one is the one to fix.
  const first = doc.errors[0];
  if (first) {
    // The parser recurses per nesting level: a very deep document exhausts the stack first.
    if (/call stack/.test(first.message)) {
      return {
        value: undefined,
        problems: [
          {
            message: 'YAML too large: nested deeper than the parser can follow',
            pos: at(first.pos[0]),
            hint: `keep nesting under ${YAML_LIMITS.depth} levels`,
          },
        ],
        sealed: new Map(),
      };
    }
    const message = first.message.split('\n')[0];
    const unclosed = /end with an? ([}\]])/.exec(message);
    return {
      value: undefined,
      problems: [
        {
          message: `malformed YAML: ${message}`,
          pos: at(first.pos[0]),
          hint: unclosed
            ? `a "${unclosed[1] === '}' ? '{' : '['}" opened on an earlier line is not closed`
            : (YAML_HINTS[first.code] ?? 'fix the YAML syntax at this position'),
        },
      ],
      sealed: new Map(),
    };
  }
  const problems: Problem[] = [];
  for (const w of doc.warnings) {
    const tag = w.code === 'TAG_RESOLVE_FAILED' ? /Unresolved tag: (\S+)/.exec(w.message)?.[1] : undefined;
    if (tag && !KNOWN_TAGS.has(tag))
      problems.push({
        message: `unknown YAML tag ${tag}`,
        pos: at(w.pos[0]),
        hint: "the tags known here are !unsafe and !vault (and YAML's own, such as !!str); remove the tag or quote the value",
      });
  }
  if (problems.length) return { value: undefined, problems, sealed: new Map() };
  const conv = new Converter(doc, at, problems);
  const value = conv.toPlain(doc.contents as Node | null);
  if (!(value instanceof Ciphertext)) return { value, problems, sealed: conv.sealed };
  // A document that is a vault value alone has no container to note it in: opened here.
  const holder = [value.text];
  problems.push(...openSealed(new Map([[holder, new Map([[0, value.pos]])]])));
  return { value: holder[0], problems, sealed: new Map(), unsealable: true };
}

/** A `!vault` scalar as converted: placed as its text, and noted where it was placed. */
class Ciphertext {
  constructor(
    readonly text: string,
    readonly pos: SourcePos,
  ) {}
}

class Converter {
  /** Anchored nodes converted once, so every alias shares the anchor's object (and its positions). */
  private readonly seen = new Map<Node, unknown>();
  /** Values a container stands for once every alias in it is expanded. */
  private readonly sizes = new WeakMap<object, number>();
  /** Every place a vault value was put, merged copies included. */
  readonly sealed: SealedValues = new Map();
  private depth = 0;
  private overLimit = false;

  constructor(
    private readonly doc: Document,
    private readonly at: (offset: number) => SourcePos,
    private readonly problems: Problem[],
  ) {}

  toPlain(node: Node | null): unknown {
    if (node === null || node === undefined) return null;
    if (this.overLimit) return null;
    if (this.depth >= YAML_LIMITS.depth) return this.limit(node, `nesting deeper than ${YAML_LIMITS.depth} levels`);
    this.depth++;
    try {
      const value = this.convert(node);
      if (value !== null && typeof value === 'object' && !(value instanceof Ciphertext) && !this.sizes.has(value)) {
        let n = 1;
        for (const child of Object.values(value)) n += (child !== null && typeof child === 'object' && this.sizes.get(child)) || 1;
        this.sizes.set(value, n);
        if (n > YAML_LIMITS.values) return this.limit(node, `more than ${YAML_LIMITS.values} values once aliases are expanded`);
      }
      return value;
    } finally {
      this.depth--;
    }
  }

  /** One problem for the first limit crossed; the rest of the document is not converted. */
  private limit(node: Node, what: string): null {
    this.overLimit = true;
    this.problems.push({
      message: `YAML too large: ${what}`,
      pos: node.range ? this.at(node.range[0]) : undefined,
      hint: 'flatten the data or use fewer nested aliases; the limits are in README.md, "Hostile and careless input"',
    });
    return null;
  }

  private convert(node: Node): unknown {
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      return target ? this.toPlain(target as Node) : null;
    }
    const done = this.seen.get(node);
    if (done !== undefined) return done;
    if (isScalar(node) && (node.tag === '!vault' || node.tag === '!vault-encrypted'))
      return new Ciphertext(String(node.value), this.at(node.range?.[0] ?? 0));
    if (isScalar(node)) return plainScalar(node.value, node.source, node.type, node.tag);
    if (isSeq(node)) {
      const arr: unknown[] = [];
      this.seen.set(node, arr);
      if (node.range) recordOwnPos(arr, this.at(node.range[0]));
      node.items.forEach((item, i) => {
        const n = item as Node;
        if (n?.range) recordPos(arr, i, this.at(n.range[0]));
        this.place(arr, i, this.toPlain(n));
        markIfUnsafe(n, arr, i);
      });
      return arr;
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      this.seen.set(node, obj);
      if (node.range) recordOwnPos(obj, this.at(node.range[0]));
      const merges: unknown[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          merges.push(this.toPlain(pair.value as Node | null));
          continue;
        }
        const keyPos = keyNode?.range ? this.at(keyNode.range[0]) : undefined;
        const key = this.keyString(keyNode, keyPos);
        if (key === undefined) continue;
        if (Object.prototype.hasOwnProperty.call(obj, key)) {
          const first = posOf(obj, key);
          this.problems.push({
            message: `duplicate key "${key}"` + (first ? ` (first defined at ${first.file}:${first.line}:${first.col})` : ''),
            pos: keyPos,
            hint: 'each key may appear once in a mapping; remove or merge one of them',
          });
          continue;
        }
        if (keyPos) recordPos(obj, key, keyPos);
        this.place(obj, key, this.toPlain(pair.value as Node | null));
        markIfUnsafe(pair.value as Node | null, obj, key);
      }
      for (const src of merges.flat()) this.mergeInto(obj, src);
      return obj;
    }
    return null;
  }

  /** `container[key] = value`, noting it when it is a vault value. */
  private place(container: object, key: string | number, value: unknown): void {
    const slots = container as Record<string | number, unknown>;
    if (!(value instanceof Ciphertext)) {
      slots[key] = value;
      return;
    }
    slots[key] = value.text;
    seal(this.sealed, container, key, value.pos);
  }

  /** `<<: *anchor` merge: explicit keys win over merged ones, earlier merge sources over later. */
  private mergeInto(obj: Record<string, unknown>, src: unknown): void {
    if (src === null || typeof src !== 'object' || Array.isArray(src)) return;
    const sealedKeys = this.sealed.get(src);
    for (const [k, v] of Object.entries(src)) {
      if (Object.prototype.hasOwnProperty.call(obj, k)) continue;
      obj[k] = v;
      copyUnsafe(src, k, obj);
      const p = posOf(src, k);
      if (p) recordPos(obj, k, p);
      const sealedAt = sealedKeys?.get(k);
      if (sealedAt) seal(this.sealed, obj, k, sealedAt);
    }
  }

  private keyString(keyNode: Node | null, pos: SourcePos | undefined): string | undefined {
    if (isScalar(keyNode)) {
      if (keyNode.value === null) {
        this.problems.push({ message: 'empty mapping key', pos, hint: 'write "key: value"' });
        return undefined;
      }
      // Keys are names: keep what was written (a key `on` or `n` stays that string).
      return keyNode.type === 'PLAIN' && keyNode.source !== undefined ? keyNode.source : String(keyNode.value);
    }
    this.problems.push({ message: 'mapping keys must be plain strings, not collections', pos, hint: 'quote the key' });
    return undefined;
  }
}

/** `!unsafe` (as in Ansible): the value is data, never templated; a tagged collection is data whole. */
function markIfUnsafe(node: Node | null, container: object, key: string | number): void {
  if (!node || isAlias(node) || node.tag !== '!unsafe') return;
  markUnsafe(container, key);
  markRaw((container as Record<string | number, unknown>)[key]);
}

/** Untagged plain scalars resolve as in PyYAML (src/validate/yaml11-scalars.ts); tagged and quoted ones as written. */
function plainScalar(value: unknown, source: string | undefined, type: string | undefined, tag: string | undefined): unknown {
  if (type !== 'PLAIN' || source === undefined || tag !== undefined) return value;
  return resolvePlainScalar(source);
}
