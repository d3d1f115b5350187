// Batch rollback. Before a health-gated batch touches a host, every path its plan will replace
// (put, upload, symlink, remove) is copied aside on the host, in one exec, and each folder it sets
// (dir) has its mode and owner noted. Rolling back copies each file back atomically (temp name
// beside it, mv -T) or removes what did not exist, with the folders the apply made for it, puts
// back the folders' mode and owner, then re-runs the handlers the plan notified (daemon-reload,
// restart), all in one exec. The restore is plain file work on the target's paths, so an offline
// root needs no shell of its own. The handlers' script is written beside the copies when they are
// taken (mode 0600): what a snapshot hands back (through a queue too) is paths and summaries,
// never a handler's file content. Only the last run's snapshot is kept on the host.
import { posix } from 'node:path';
import type { Change } from '../module.js';
import type { HostPlan } from '../plan/types.js';
import type { ExecResult, Transport } from '../transport/types.js';
import { MARK, rooted, shq } from '../script/shell.js';
import { compileApplyScript, mkdirShared, parseApplyOutput } from './apply-script.js';
import { DEFAULT_LOCK_WAIT_S, lockRefused, takeLock } from './host-lock.js';
import { LEAD_FUNCTION, LEADS_FUNCTION, leadsGuard, rootGuard, rootGuardFunction } from '../script/root-guard.js';

export const SNAPSHOT_ROOT = '/var/lib/portsync-deploy/rollback';

export interface SnapshotEntry {
  path: string;
  existed: boolean;
  /** For a path that did not exist: how many of its nearest folders (for a folder: it and
   *  its nearest ones) did not exist either. */
  missingDirs?: number;
  /** A folder a `dir` op sets, not copied: its previous "mode uid:gid" when it existed. */
  folder?: { attrs?: string };
  /** On a live host: where the path's folder led when the snapshot was taken. The restore
   *  writes nothing through a folder that leads elsewhere by then. */
  dirLeads?: string;
}

export interface Snapshot {
  dir: string;
  /** Every path the plan replaces, and whether it existed before. */
  entries: SnapshotEntry[];
  /** Summaries of the handler changes run again after the files are back (by the script kept
   *  in the snapshot). */
  handlers: string[];
}

const HANDLERS = 'handlers.sh';

/** Paths a host plan writes, in plan order, each once. */
export function replacedPaths(plan: HostPlan): string[] {
  const paths = new Set<string>();
  const changes = [...plan.tasks.flatMap((t) => t.changes), ...plan.handlers.flatMap((h) => h.changes)];
  for (const c of changes) for (const op of c.ops) if (op.kind !== 'exec' && op.kind !== 'dir') paths.add(op.path);
  return [...paths];
}

/** Folders a host plan sets (dir ops), in plan order, each once. */
export function setFolders(plan: HostPlan): string[] {
  const changes = [...plan.tasks.flatMap((t) => t.changes), ...plan.handlers.flatMap((h) => h.changes)];
  return [...new Set(changes.flatMap((c) => c.ops.flatMap((op) => (op.kind === 'dir' ? [op.path] : []))))];
}

/** Counts into $n how many folders up from `start` (a quoted shell word) do not exist. */
function countMissing(start: string): string {
  return `n=0; d=${start}; while [ -n "$d" ] && [ ! -e "$d" ] && [ ! -L "$d" ]; do n=$((n+1)); d=\${d%/*}; done`;
}

/** `handlers`: the script that runs the plan's handlers again, kept beside the copies. */
export function snapshotScript(root: string, dir: string, paths: string[], folders: string[] = [], handlers = ''): string {
  const D = shq(rooted(root, dir));
  // On a live host, where each path's folder leads now (a chroot root's restore checks its own way).
  const leads = root ? [] : [...paths, ...folders].map((p, i) => `echo "${MARK} ${i} leads $(psd_lead ${shq(p)})"`);
  const files = paths.map((p, i) => {
    const P = shq(rooted(root, p));
    return `if [ -e ${P} ] || [ -L ${P} ]; then cp -a --no-dereference ${P} ${D}/${i} || exit 1; echo '${MARK} ${i} existed'; else ${countMissing(`$(dirname ${P})`)}; echo "${MARK} ${i} absent $n"; fi`;
  });
  const dirs = folders.map((f, j) => {
    const P = shq(rooted(root, f));
    const i = paths.length + j;
    return `if [ -d ${P} ] && [ ! -L ${P} ]; then echo "${MARK} ${i} existed $(stat -c '%a %u:%g' ${P})"; else ${countMissing(P)}; echo "${MARK} ${i} absent $n"; fi`;
  });
  const lines = [...files, ...dirs, ...leads];
  // Older snapshots go first: only this run's stays on the host.
  return `set -u
umask 077
${root ? '' : LEAD_FUNCTION}
rm -rf ${shq(rooted(root, SNAPSHOT_ROOT))}/* && mkdir -p ${D} || exit 1
${lines.join('\n')}
printf '%s' ${shq(handlers)} >${D}/${HANDLERS} || exit 1
`;
}

export function parseSnapshot(stdout: string, paths: string[], folders: string[] = []): SnapshotEntry[] {
  const all = [...paths, ...folders];
  const found = new Map<number, SnapshotEntry>();
  const leads = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const lead = new RegExp(`^${MARK} (\\d+) leads ([A-Za-z0-9+/=]+)$`).exec(line);
    if (lead) leads.set(Number(lead[1]), Buffer.from(lead[2]!, 'base64').toString('utf8'));
    const m = new RegExp(`^${MARK} (\\d+) (?:(existed)(?: ([0-7]+ \\d+:\\d+))?|absent (\\d+))$`).exec(line);
    const i = m ? Number(m[1]) : -1;
    const path = all[i];
    if (!m || path === undefined) continue;
    const folder = i >= paths.length ? { folder: m[3] ? { attrs: m[3] } : {} } : {};
    found.set(i, m[2] ? { path, existed: true, ...folder } : { path, existed: false, missingDirs: Number(m[4]), ...folder });
  }
  return all.map((p, i) => {
    const e = found.get(i);
    if (e === undefined) throw new Error(`snapshot did not report ${p}`);
    const dirLeads = leads.get(i);
    return dirLeads === undefined ? e : { ...e, dirLeads };
  });
}

/** Runs `script` holding the host's apply lock (host-lock.ts), as an apply script does: a job
 *  taken again never keeps or restores files beside an apply still running on the host. */
async function execLocked(transport: Transport, script: string, lockWait: number): Promise<ExecResult> {
  const res = await transport.exec(takeLock(transport.root, lockWait) + script);
  const refused = lockRefused(res.stdout, res.stderr);
  if (refused !== undefined) throw new Error(refused);
  return res;
}

export async function takeSnapshot(transport: Transport, plan: HostPlan, token: string, lockWait = DEFAULT_LOCK_WAIT_S): Promise<Snapshot> {
  const paths = replacedPaths(plan);
  const folders = setFolders(plan);
  const dir = `${SNAPSHOT_ROOT}/${token}`;
  const handlers = plan.handlers.flatMap((h) => h.changes);
  const res = await execLocked(
    transport,
    snapshotScript(transport.root, dir, paths, folders, handlersScript(transport, handlers)),
    lockWait,
  );
  if (res.rc !== 0) throw new Error(`cannot keep the previous files for rollback in ${dir}: ${res.stderr.trim() || `exit ${res.rc}`}`);
  return { dir, entries: parseSnapshot(res.stdout, paths, folders), handlers: handlers.map((h) => h.summary) };
}

/** Each handler as its own apply script, so a failed handler (restarting a unit the restore
 *  removed) does not stop the ones after it; a marker line before each splits their output. */
function handlersScript(transport: Transport, handlers: Change[]): string {
  const target = { root: transport.root, offline: transport.offline };
  return handlers.map((change) => step(compileApplyScript([{ change, sets: [] }], target, true).script)).join('\n');
}

const step = (script: string) => `echo '${MARK}-step'\n(\n${script})`;

/** Folders the apply made for a path that did not exist (a folder: it too), nearest first. */
function madeDirs(e: SnapshotEntry): string[] {
  const dirs: string[] = [];
  let d = e.folder ? e.path : posix.dirname(e.path);
  for (let i = 0; i < (e.missingDirs ?? 0) && d !== '/'; i++, d = posix.dirname(d)) dirs.push(d);
  return dirs;
}

/** One sh script restoring every entry, with the target's paths under `root` (an offline root's
 *  folder on this machine, '' on a live host). A folder made for a new path goes when empty. */
export function restoreScript(root: string, snap: Snapshot): string {
  const rmdirs = (e: SnapshotEntry) => madeDirs(e).map((d) => `rmdir ${shq(rooted(root, d))} 2>/dev/null`);
  // Inside a chroot root: no folder of the path became a symlink; on a live host: the path's
  // folder leads where it led at the snapshot.
  const guard = (e: SnapshotEntry, P: string) => (root ? rootGuard(root, P, ' && ') : leadsGuard(e.path, e.dirLeads, ' && '));
  // Folders last, deepest first: the files in them are gone by then.
  const folders = snap.entries
    .filter((e) => e.folder)
    .reverse()
    .map((e) => {
      const P = shq(rooted(root, e.path));
      if (!e.existed) return rmdirs(e).join('\n');
      const [mode, owner] = (e.folder?.attrs ?? '').split(' ');
      return mode && owner ? `${guard(e, P)}chmod ${shq(mode)} ${P} && chown ${shq(owner)} ${P} || F=1` : '';
    });
  const files = snap.entries.map((e, i) => {
    if (e.folder) return '';
    const P = shq(rooted(root, e.path));
    const guarded = guard(e, P);
    if (!e.existed) return [`${guarded}rm -f ${P} || F=1`, ...rmdirs(e)].join('\n');
    const T = shq(rooted(root, `${e.path}.psd-rollback`));
    const copy = `cp -a --no-dereference ${shq(rooted(root, `${snap.dir}/${i}`))} ${T}`;
    return `{ ${guarded}rm -rf ${T} && ${mkdirShared(`"$(dirname ${P})"`)} && ${copy} && ${guarded}mv -Tf ${T} ${P}; } || F=1`;
  });
  return `F=0\n${root ? rootGuardFunction(root) : LEADS_FUNCTION}\n${[...files, ...folders].filter(Boolean).join('\n')}\nexit $F\n`;
}

/** The restore as a step of the rollback script, reporting as an apply step does (step 0). */
function restoreStep(root: string, snap: Snapshot): string {
  return `trap '' INT HUP TERM PIPE
E=$(mktemp) || exit 90
echo '${MARK} start 0'
if (
${restoreScript(root, snap)}) >"$E" 2>&1; then echo '${MARK} ok 0'; else printf '${MARK} failed 0 0 b'; base64 <"$E" | tr -d '\\n'; echo; fi
rm -f "$E"
`;
}

export interface RollbackOutcome {
  ok: boolean;
  restored: number;
  removed: number;
  handlers: string[];
  error?: string;
}

/** The restore, then the handlers' script the snapshot kept, in one exec. */
export async function rollBack(transport: Transport, snap: Snapshot, lockWait = DEFAULT_LOCK_WAIT_S): Promise<RollbackOutcome> {
  const handlers = snap.handlers.length ? `\nsh ${shq(rooted(transport.root, `${snap.dir}/${HANDLERS}`))}` : '';
  const res = await execLocked(transport, `${step(restoreStep(transport.root, snap))}${handlers}`, lockWait);
  const steps = [`restore ${snap.entries.length} files from ${snap.dir}`, ...snap.handlers];
  const outputs = res.stdout.split(`${MARK}-step\n`).slice(1);
  const errors = steps.flatMap((summary, i) => {
    const o = parseApplyOutput(outputs[i] ?? '', 1)[0]!;
    return o.status === 'ok' ? [] : [`${summary}: ${o.error ?? 'not run'}`];
  });
  return {
    ok: errors.length === 0,
    restored: snap.entries.filter((e) => e.existed).length,
    removed: snap.entries.filter((e) => !e.existed).length,
    handlers: snap.handlers,
    ...(errors.length ? { error: errors.join('; ') } : {}),
  };
}
