// A read-only Facts view over one host's gathered answers. Reading something no task declared in
// needs() is a module bug, so it throws instead of guessing.
import type { CmdFact, FactQuery, Facts, HostFacts, StatFact, UnitFact } from './types.js';
import { fieldKey, queryField, recordedFolderIndex, type RawAnswer } from './gather-script.js';
import { parseSystemFacts, type SystemSection } from './system-facts.js';

export const OFFLINE_UNIT: UnitFact = { load: 'offline', active: 'offline', sub: 'offline', enabled: 'offline' };
const UNKNOWN_UNIT: UnitFact = { load: 'unknown', active: 'unknown', sub: 'unknown', enabled: 'unknown' };

const STAT_TYPES: Record<string, StatFact['type']> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'dir',
  'symbolic link': 'link',
};

/** `type|mode|uid|gid|size|owner|group[|extra]` as the gather prints it; an owner without a
 *  name (stat's UNKNOWN) is named by its number, which chown accepts everywhere. */
function parseStat(text: string, followed = ''): StatFact {
  // Read by index: unoptimised code, as a run's few hundred calls mostly are, destructures a
  // list through its iterator.
  const f = text.split('|');
  const type = f[0] ?? '';
  const mode = f[1] ?? '';
  const uid = f[2] ?? '';
  const gid = f[3] ?? '';
  const size = f[4] ?? '0';
  const owner = f[5] ?? '';
  const group = f[6] ?? '';
  const name = (n: string, id: string) => (n === '' || n === 'UNKNOWN' ? id : n);
  const st: StatFact = {
    type: STAT_TYPES[type] ?? 'other',
    mode: mode.padStart(4, '0'),
    owner: name(owner, uid),
    group: name(group, gid),
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
  };
  const x = f.slice(7).join('|');
  if (st.type === 'file' && x) st.sha256 = x;
  if (st.type === 'link') {
    st.target = x;
    if (followed) st.followed = parseStat(followed);
  }
  return st;
}

function parseUnit(text: string): UnitFact {
  const kv = new Map(text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  return {
    load: kv.get('LoadState') || 'unknown',
    active: kv.get('ActiveState') || 'unknown',
    sub: kv.get('SubState') || 'unknown',
    enabled: kv.get('UnitFileState') ?? '',
  };
}

export function buildFacts(host: HostFacts | undefined, queries: FactQuery[], answers: Map<number, RawAnswer>, dirs: string[] = []): Facts {
  // Made when first asked, and only where the gather recorded where folders lead.
  let folders: Map<string, number> | undefined;
  // By kind, then by the path (key, unit, glob, argv) a read names, so a read makes no key of its
  // own; null: declared, and no answer (one lookup tells both).
  const declared = new Map<FactQuery['kind'], Map<string, RawAnswer | null>>();
  let systemSections: SystemSection[] | undefined;
  queries.forEach((q, i) => {
    if (q.kind === 'system') systemSections = q.sections;
    let ofKind = declared.get(q.kind);
    if (!ofKind) declared.set(q.kind, (ofKind = new Map()));
    ofKind.set(queryField(q), answers.get(i) ?? null);
  });
  const answer = (kind: FactQuery['kind'], field: string): RawAnswer | undefined => {
    const a = declared.get(kind)?.get(field);
    if (a === undefined) throw new Error(`fact ${fieldKey(kind, field)} was read but not declared in needs()`);
    return a ?? undefined;
  };
  return {
    get host() {
      if (!host) throw new Error(`fact host was read but not declared in needs()`);
      return host;
    },
    file(path) {
      const a = answer('file', path);
      return a?.status === 'ok' ? (a.fields[0] ?? '') : null;
    },
    stat(path) {
      const a = answer('stat', path);
      return a?.status === 'ok' ? parseStat(a.fields[0] ?? '', a.fields[1]) : null;
    },
    sysctl(key) {
      const a = answer('sysctl', key);
      return a?.status === 'ok' ? (a.fields[0] ?? '').replace(/\n$/, '') : null;
    },
    unit(name) {
      const a = answer('unit', name);
      if (a?.status === 'offline') return { ...OFFLINE_UNIT };
      return a?.status === 'ok' ? parseUnit(a.fields[0] ?? '') : { ...UNKNOWN_UNIT };
    },
    cmd(argv): CmdFact {
      const a = answer('cmd', JSON.stringify(argv));
      if (a?.status !== 'ok') return { rc: 127, stdout: '', stderr: 'not run' };
      return { rc: Number(a.fields[0]), stdout: a.fields[1] ?? '', stderr: a.fields[2] ?? '' };
    },
    sysfs: () => undefined,
    files(glob) {
      const a = answer('files', glob);
      return Object.fromEntries((a?.items ?? []).map(([p = '', c = '']) => [p, c]));
    },
    entries(path) {
      const a = answer('entries', path);
      return a?.status === 'ok' ? a.items.map(([name = '']) => name) : null;
    },
    system() {
      const a = answer('system', '');
      return parseSystemFacts(a?.fields[0] ?? '', a?.volatile, systemSections);
    },
    leads(dir) {
      if (!dirs.length) return undefined; // an offline root, or a gather that recorded none
      folders ??= recordedFolderIndex(queries);
      const i = folders.get(dir);
      return i === undefined ? undefined : dirs[i] || undefined;
    },
  };
}
