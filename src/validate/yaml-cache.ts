// Parsed YAML files kept between runs. The YAML parser takes about 2 ms per kilobyte in a fresh
// process (a 1,000-host inventory: about 125 ms), where a kept parse is read back in a few. An
// entry holds the file's whole text and is used only for that exact text, by the same build of
// the engine under the same V8; it is never kept for a file with a problem or a key named like a
// secret (yaml-marks.ts). A file's inline vault values are kept as their ciphertext: the parse is
// kept before they are opened (sealed-values.ts). The folder is the user's own (0700, not
// writable by anyone else) or not used; entries are written whole (a temporary file renamed) and
// their number is bounded. Anything amiss (no folder, a full disk, a damaged entry) costs only
// the parse.
//   PSD_CACHE_DIR=<folder> puts it elsewhere; PSD_CACHE_DIR=off turns it off.
import { lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { PACKAGE_ROOT } from '../package-root.js';
import { readRegularBytes } from '../read-regular.js';
import { writeFileAtomic } from '../write-atomic.js';
import { putMarks, takeMarks, type Marks } from './yaml-marks.js';
import type { SealedValues } from './sealed-values.js';

/** Texts kept: up to 256 KB each, 1,000 entries (pruned to 750, oldest first). */
export const YAML_CACHE_LIMITS = { textChars: 256 * 1024, entryBytes: 4 * 1024 * 1024, entries: 1000, prunedTo: 750 } as const;

interface Entry {
  build: string;
  path: string;
  text: string;
  value: unknown;
  marks: Marks;
}

export interface Parsed {
  /** The document, its vault values not yet opened. */
  value: unknown;
  /** False where the parse met a problem: it is not kept. */
  keep: boolean;
  /** Where the document's vault values are, still closed. */
  sealed: SealedValues;
}

/** `parse()` of `text`, the content of `file`, or the value an earlier run's parse of that very
 *  text gave, with its positions and marks. */
export function cachedParse(text: string, file: string, parse: () => Parsed): Parsed {
  const dir = cacheDir();
  if (!dir) return parse();
  const path = resolve(file);
  const entryFile = join(dir, entryName(path));
  const kept = readEntry(entryFile);
  if (kept && kept.build === buildKey() && kept.path === path && kept.text === text)
    return { value: kept.value, keep: true, sealed: putMarks(kept.value, kept.marks, file) };
  const parsed = parse();
  const marks = parsed.keep && text.length <= YAML_CACHE_LIMITS.textChars ? takeMarks(parsed.value, parsed.sealed) : undefined;
  if (marks) writeEntry(dir, entryFile, { build: buildKey(), path, text, value: parsed.value, marks });
  return parsed;
}

/** The folder for each setting of PSD_CACHE_DIR met, checked once. */
const checked = new Map<string | undefined, string | undefined>();

/** The cache folder when it is usable: absent yet (made at the first write) or a real folder
 *  this user owns and no one else may write to, inside a folder alike. */
function cacheDir(): string | undefined {
  const setting = process.env.PSD_CACHE_DIR;
  if (checked.has(setting)) return checked.get(setting);
  const dir = setting === 'off' ? undefined : join(resolve(setting || join(PACKAGE_ROOT, 'node_modules/.cache/portsync-deploy')), 'yaml');
  // The folder holding it too: whoever may write there could swap the folder for their own.
  const usable = dir !== undefined && ownedOrAbsent(dir) && ownedOrAbsent(dirname(dir)) ? dir : undefined;
  checked.set(setting, usable);
  return usable;
}

function ownedOrAbsent(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

let build: string | undefined;

/** This engine build under this V8: the file the engine runs from (the CLI bundle, or this file
 *  in the tsc output) as every build writes it anew. */
function buildKey(): string {
  if (build === undefined) {
    const st = statSync(fileURLToPath(import.meta.url));
    // The leading number is the entry's own layout.
    build = `2:${process.versions.v8}:${st.size}:${st.mtimeMs}`;
  }
  return build;
}

/** Two FNV-1a hashes of the path: 64 bits of name, where a clash only costs a parse. */
function entryName(path: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x811c9dc5);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}.v8`;
}

function readEntry(file: string): Entry | undefined {
  try {
    const entry = v8.deserialize(readRegularBytes(file, YAML_CACHE_LIMITS.entryBytes)) as Partial<Entry> | null;
    const whole = entry && typeof entry === 'object' && typeof entry.text === 'string' && entry.marks?.positions instanceof Uint32Array;
    return whole ? (entry as Entry) : undefined;
  } catch {
    return undefined;
  }
}

/** Folders pruned by this process: once each, at its first write there. */
const pruned = new Set<string>();

function writeEntry(dir: string, file: string, entry: Entry): void {
  const bytes = v8.serialize(entry);
  if (bytes.length > YAML_CACHE_LIMITS.entryBytes) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedOrAbsent(dir)) return;
    // Not synced: an entry a crash left short fails to read back whole, and is parsed again.
    writeFileAtomic(file, bytes, 0o600);
  } catch {
    return;
  }
  if (!pruned.has(dir)) prune(dir);
}

/** Past the bound, the entries written longest ago go. */
function prune(dir: string): void {
  pruned.add(dir);
  try {
    const names = readdirSync(dir);
    if (names.length <= YAML_CACHE_LIMITS.entries) return;
    const byAge = names
      .map((name) => ({ name, mtime: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((x, y) => x.mtime - y.mtime);
    for (const { name } of byAge.slice(0, names.length - YAML_CACHE_LIMITS.prunedTo)) rmSync(join(dir, name), { force: true });
  } catch {
    // Another run pruning at the same time, or a folder gone: the bound holds at the next write.
  }
}
