// What copy writes: literal content, or a file on the control machine. Local files are read once
// per process (keyed by path, size and mtime) however many hosts receive them.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { PlanContext } from '../../src/module.js';
import { findFile, searchFolders, searchPath } from '../../src/render/search-path.js';
import { noSuchFile, readFailure } from '../../src/read-regular.js';
import type { CopyArgs } from './schema.js';

/** Diffs are shown for text up to this size; larger or binary content is compared by checksum only. */
export const MAX_DIFF_BYTES = 256 * 1024;

export interface Source {
  sha256: string;
  size: number;
  /** Written inline by a put op; null when the bytes are streamed from `localPath` instead. */
  content: string | null;
  localPath?: string;
  /** Small text: shown as a unified diff. */
  diffable: boolean;
}

export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fromContent(text: string): Source {
  const bytes = Buffer.from(text, 'utf8');
  return { sha256: sha256(bytes), size: bytes.length, content: text, diffable: !isBinary(bytes) && bytes.length <= MAX_DIFF_BYTES };
}

/** Small text files are put inline; binary or large ones are uploaded from the control machine. */
function fromFile(path: string, bytes: Buffer): Source {
  const diffable = !isBinary(bytes) && bytes.length <= MAX_DIFF_BYTES;
  return diffable
    ? { sha256: sha256(bytes), size: bytes.length, content: bytes.toString('utf8'), diffable }
    : { sha256: sha256(bytes), size: bytes.length, content: null, localPath: path, diffable };
}

const cache = new Map<string, { stamp: string; source: Source }>();

function readLocal(path: string): Source {
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(path);
  if (hit?.stamp === stamp) return hit.source;
  const source = fromFile(path, readFileSync(path));
  cache.set(path, { stamp, source });
  return source;
}

type Report = PlanContext['error'];

/** The source for these args, or null after reporting (through `report`) why it cannot be read. */
export function loadSource(args: CopyArgs, ctx: PlanContext, report: Report = (...a) => ctx.error(...a)): Source | null {
  if (args.content !== undefined) return fromContent(args.content);
  const src = args.src!;
  // As Ansible looks: the role's files/, the role, then the playbook's files/ and folder.
  const candidates = searchPath(ctx.vars, 'files', src);
  if (!candidates.length) {
    report(`relative src ${src} needs the playbook directory`, ['src'], 'use an absolute path');
    return null;
  }
  const path = findFile(candidates);
  if (!path) {
    report(
      noSuchFile(src, searchFolders(ctx.vars, 'files', src)),
      ['src'],
      'src is read on the control machine: create the file in one of those folders, or fix the name',
    );
    return null;
  }
  try {
    return readLocal(path);
  } catch (e) {
    report(`cannot read src ${path}: ${readFailure(e)}`, ['src'], 'src must be a readable regular file');
    return null;
  }
}
