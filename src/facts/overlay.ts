// Facts as the host will be after the changes planned so far: task N plans against what tasks
// 1..N-1 would write, so the plan shown is the plan applied. Modelled: files and their stat
// (put, remove, symlink, upload, dir), and the live values `exec` ops declare as `effects`:
// sysctl values, sysfs/procfs kernel files, unit state. Not modelled: `cmd` results and folders'
// entries, which later tasks read as gathered (ARCHITECTURE.md says why).
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { Op } from '../module.js';
import type { Facts, StatFact, UnitFact } from './types.js';
import { memoByString } from '../memo.js';

const sha256Of = memoByString((content) => createHash('sha256').update(content).digest('hex'));

export class OverlayFacts implements Facts {
  private readonly written = new Map<string, string | null>();
  private readonly stats = new Map<string, StatFact | null>();
  private readonly sysctls = new Map<string, string>();
  private readonly units = new Map<string, Partial<UnitFact>>();
  private readonly kernelFiles = new Map<string, string>();

  constructor(private readonly base: Facts) {}

  get host() {
    return this.base.host;
  }

  file(path: string): string | null {
    if (this.written.has(path)) return this.written.get(path) ?? null;
    const kernel = this.kernelFiles.get(path);
    if (kernel !== undefined) return `${kernel}\n`;
    const st = this.stats.get(path);
    if (st?.type === 'link' && st.target?.startsWith('/')) return this.file(st.target);
    return this.base.file(path);
  }

  stat(path: string): StatFact | null {
    return this.stats.has(path) ? (this.stats.get(path) ?? null) : this.base.stat(path);
  }

  sysctl(key: string): string | null {
    return this.sysctls.get(key) ?? this.base.sysctl(key);
  }

  unit(name: string): UnitFact {
    const set = this.units.get(name);
    return set ? { ...this.base.unit(name), ...set } : this.base.unit(name);
  }

  sysfs(path: string): string | undefined {
    return this.kernelFiles.get(path) ?? this.base.sysfs(path);
  }

  cmd(argv: string[]) {
    return this.base.cmd(argv);
  }
  entries(path: string) {
    return this.base.entries(path);
  }

  system() {
    return this.base.system();
  }

  files(glob: string): Record<string, string> {
    const out = { ...this.base.files(glob) };
    const match = matcherFor(glob);
    for (const [path, content] of this.written) {
      if (!match(path)) continue;
      if (content === null) delete out[path];
      else out[path] = content;
    }
    return out;
  }

  /** Where `dir` led when the host was read, unless a planned op replaces or removes it or a
   *  folder above it: then where it leads is the plan's doing, not the host's. */
  leads(dir: string): string | undefined {
    // The host's answer first: an offline root has none, and then the planned ops need no look.
    const led = this.base.leads?.(dir);
    if (led === undefined) return undefined;
    for (const [path, st] of this.stats) if (st?.type !== 'dir' && (dir === path || dir.startsWith(`${path}/`))) return undefined;
    return led;
  }

  /** Record what an op leaves behind. */
  apply(op: Op): void {
    switch (op.kind) {
      case 'put': {
        const prev = this.peekStat(op.path);
        this.written.set(op.path, op.content);
        this.stats.set(op.path, {
          type: 'file',
          mode: op.mode ?? (prev?.type === 'file' ? prev.mode : '0644'),
          owner: op.owner ?? (prev?.type === 'file' ? prev.owner : 'root'),
          group: op.group ?? (prev?.type === 'file' ? prev.group : 'root'),
          size: Buffer.byteLength(op.content),
          sha256: sha256Of(op.content),
        });
        break;
      }
      case 'dir': {
        const prev = this.peekStat(op.path);
        const kept = prev?.type === 'dir' ? prev : undefined;
        this.stats.set(op.path, {
          type: 'dir',
          mode: op.mode ?? kept?.mode ?? '0755',
          owner: op.owner ?? kept?.owner ?? 'root',
          group: op.group ?? kept?.group ?? 'root',
          size: kept?.size ?? 4096,
        });
        break;
      }
      case 'remove':
        this.written.set(op.path, null);
        this.stats.set(op.path, null);
        break;
      case 'symlink':
        this.written.delete(op.path);
        this.stats.set(op.path, { type: 'link', mode: '0777', owner: 'root', group: 'root', size: op.target.length, target: op.target });
        break;
      case 'upload':
        this.stats.set(op.path, { type: 'file', mode: op.mode ?? '0644', owner: 'root', group: 'root', size: 0, sha256: op.sha256 });
        break;
      case 'exec':
        for (const e of op.effects ?? []) {
          if (e.kind === 'sysctl') this.sysctls.set(e.key, e.value);
          else if (e.kind === 'sysfs') this.kernelFiles.set(e.path, e.value);
          else this.units.set(e.name, { ...this.units.get(e.name), ...unitState(e) });
        }
        break;
    }
  }

  private peekStat(path: string): StatFact | null {
    try {
      return this.stat(path);
    } catch {
      return null; // not gathered: the put defines the file from scratch
    }
  }
}

/** Compiled globs: every host's plan asks for the same few. */
const matchers = new Map<string, (path: string) => boolean>();

function matcherFor(glob: string): (path: string) => boolean {
  let m = matchers.get(glob);
  if (!m) matchers.set(glob, (m = picomatch(glob, { dot: true })));
  return m;
}

function unitState(e: { active?: string; enabled?: string }): Partial<UnitFact> {
  return { ...(e.active !== undefined ? { active: e.active } : {}), ...(e.enabled !== undefined ? { enabled: e.enabled } : {}) };
}
