// What a parse records beside a YAML document's plain objects (source positions, src/source-map.ts;
// !unsafe keys and raw containers, src/raw-data.ts; where its vault values are, sealed-values.ts),
// taken down as plain numbers and put back on an equal copy of the document: what lets a parse be
// kept between runs (yaml-cache.ts).
import type { SourcePos } from '../module.js';
import { ownPosOf, posOf, recordOwnPos, recordPos } from '../source-map.js';
import { isRaw, markRaw, markUnsafe, unsafeKeysOf } from '../raw-data.js';
import { seal, type SealedValues } from './sealed-values.js';

export interface Marks {
  /** Per container, in the order forEachContainer visits them: its own line and column, then
   *  each key's, in the order of its keys; 0 where nothing was recorded. */
  positions: Uint32Array;
  /** Pairs: a container's index and the index of its key tagged !unsafe. */
  unsafe: number[];
  /** Indexes of raw containers: a value tagged !unsafe and every container inside it. */
  raw: number[];
  /** Fours: a container's index, the index of its key holding a vault value, and the line and
   *  column the value was written at. */
  sealed: number[];
}

/** Keys whose values are secrets by their name: a file holding one in the clear is not kept anywhere else.
 *  A name for where a secret lies (ansible_ssh_private_key_file) names no secret itself. */
const SECRET_KEY = /pass|secret|token|credential|private/i;
const NAMES_A_PLACE = /_(file|path|dir)$/i;

/** A value that only names the variable holding a secret: `"{{ redis_password }}"`. */
const VARIABLE_REFERENCE = /^\{\{\s*[A-Za-z_][\w.]*\s*\}\}$/;

/** The marks of `value`, a document as the parse made it with its vault values at the places
 *  `sealed` notes, still closed; undefined when a key named like a secret holds anything but a
 *  vault value or a variable's name. */
export function takeMarks(value: unknown, sealed: SealedValues): Marks | undefined {
  const positions: number[] = [];
  const unsafe: number[] = [];
  const raw: number[] = [];
  const vaults: number[] = [];
  let secret = false;
  forEachContainer(value, (container, keys, index) => {
    const own = ownPosOf(container);
    positions.push(own?.line ?? 0, own?.col ?? 0);
    const marked = unsafeKeysOf(container);
    const vaulted = sealed.get(container);
    keys.forEach((key, k) => {
      const pos = posOf(container, key);
      positions.push(pos?.line ?? 0, pos?.col ?? 0);
      if (marked?.has(key)) unsafe.push(index, k);
      const vault = vaulted?.get(key);
      if (vault) vaults.push(index, k, vault.line, vault.col);
      else if (namesSecret(key) && !VARIABLE_REFERENCE.test(String((container as Record<string | number, unknown>)[key]))) secret = true;
    });
    if (isRaw(container)) raw.push(index);
  });
  return secret ? undefined : { positions: Uint32Array.from(positions), unsafe, raw, sealed: vaults };
}

function namesSecret(key: string | number): boolean {
  return typeof key === 'string' && SECRET_KEY.test(key) && !NAMES_A_PLACE.test(key);
}

/** Puts `marks` back on `value`, a copy equal to the document they were taken from, as
 *  positions in `file`; the places of its vault values. The marks come in the order the same walk
 *  took them down. */
export function putMarks(value: unknown, marks: Marks, file: string): SealedValues {
  const { positions, unsafe, raw, sealed: vaults } = marks;
  const sealed: SealedValues = new Map();
  let at = 0;
  let u = 0;
  let r = 0;
  let s = 0;
  const next = (): SourcePos | undefined => {
    const line = positions[at++]!;
    const col = positions[at++]!;
    return line ? { file, line, col } : undefined;
  };
  forEachContainer(value, (container, keys, index) => {
    const own = next();
    if (own) recordOwnPos(container, own);
    for (const key of keys) {
      const pos = next();
      if (pos) recordPos(container, key, pos);
    }
    for (; unsafe[u] === index; u += 2) markUnsafe(container, keys[unsafe[u + 1]!]!);
    if (raw[r] === index) {
      markRaw(container);
      r++;
    }
    for (; vaults[s] === index; s += 4) seal(sealed, container, keys[vaults[s + 1]!]!, { file, line: vaults[s + 2]!, col: vaults[s + 3]! });
  });
  return sealed;
}

/** Every list and mapping in `value`, once each (an alias shares its anchor's), depth first, with
 *  its keys: a list's indexes as numbers, as the parse records them. */
function forEachContainer(value: unknown, visit: (container: object, keys: (string | number)[], index: number) => void): void {
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    const keys = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    visit(v, keys, seen.size - 1);
    for (const key of keys) walk((v as Record<string | number, unknown>)[key]);
  };
  walk(value);
}
