// Batch rollback. Before a health-gated batch touches a host, every path its plan will replace
// (put, upload, symlink, remove) is copied aside on the host, in one exec. Rolling back copies
// each one back atomically (temp name beside it, mv -T) or removes what did not exist, then
// re-runs the handlers the plan notified (daemon-reload, restart), all in one exec. Only the
// last run's snapshot is kept on the host.
import type { Change } from '../module.js';
import type { HostPlan } from '../plan/types.js';
import type { Transport } from '../transport/types.js';
import { MARK, rooted, shq } from '../script/shell.js';
import { compileApplyScript, parseApplyOutput } from './apply-script.js';

export const SNAPSHOT_ROOT = '/var/lib/portsync-deploy/rollback';

export interface Snapshot {
  dir: string;
  /** Every path the plan replaces, and whether it existed before. */
  entries: { path: string; existed: boolean }[];
  /** Handler changes to run again after the files are back. */
  handlers: Change[];
}

/** Paths a host plan writes, in plan order, each once. */
export function replacedPaths(plan: HostPlan): string[] {
  const paths = new Set<string>();
  const changes = [...plan.tasks.flatMap((t) => t.changes), ...plan.handlers.flatMap((h) => h.changes)];
  for (const c of changes) for (const op of c.ops) if (op.kind !== 'exec') paths.add(op.path);
  return [...paths];
}

export function snapshotScript(root: string, dir: string, paths: string[]): string {
  const D = shq(rooted(root, dir));
  const lines = paths.map((p, i) => {
    const P = shq(rooted(root, p));
    return `if [ -e ${P} ] || [ -L ${P} ]; then cp -a --no-dereference ${P} ${D}/${i} || exit 1; echo '${MARK} ${i} existed'; else echo '${MARK} ${i} absent'; fi`;
  });
  // Older snapshots go first: only this run's stays on the host.
  return `set -u
umask 077
rm -rf ${shq(rooted(root, SNAPSHOT_ROOT))}/* && mkdir -p ${D} || exit 1
${lines.join('\n')}
`;
}

export function parseSnapshot(stdout: string, paths: string[]): boolean[] {
  const existed = new Map<number, boolean>();
  for (const line of stdout.split('\n')) {
    const m = new RegExp(`^${MARK} (\\d+) (existed|absent)$`).exec(line);
    if (m) existed.set(Number(m[1]), m[2] === 'existed');
  }
  return paths.map((p, i) => {
    const e = existed.get(i);
    if (e === undefined) throw new Error(`snapshot did not report ${p}`);
    return e;
  });
}

export async function takeSnapshot(transport: Transport, plan: HostPlan, token: string): Promise<Snapshot> {
  const paths = replacedPaths(plan);
  const dir = `${SNAPSHOT_ROOT}/${token}`;
  const res = await transport.exec(snapshotScript(transport.root, dir, paths));
  if (res.rc !== 0) throw new Error(`cannot keep the previous files for rollback in ${dir}: ${res.stderr.trim() || `exit ${res.rc}`}`);
  const existed = parseSnapshot(res.stdout, paths);
  return { dir, entries: paths.map((path, i) => ({ path, existed: existed[i]! })), handlers: plan.handlers.flatMap((h) => h.changes) };
}

/** One sh script restoring every entry; runs on the target (or inside its root for chroot). */
export function restoreScript(root: string, snap: Snapshot): string {
  const lines = snap.entries.map((e, i) => {
    const P = shq(rooted(root, e.path));
    if (!e.existed) return `rm -f ${P} || F=1`;
    const T = shq(rooted(root, `${e.path}.psd-rollback`));
    return `rm -rf ${T}; mkdir -p "$(dirname ${P})" && cp -a --no-dereference ${shq(rooted(root, `${snap.dir}/${i}`))} ${T} && mv -Tf ${T} ${P} || F=1`;
  });
  return `F=0\n${lines.join('\n')}\nexit $F\n`;
}

export interface RollbackOutcome {
  ok: boolean;
  restored: number;
  removed: number;
  handlers: string[];
  error?: string;
}

/** Each step is its own apply script, so a failed handler (restarting a unit the restore removed)
 *  does not stop the ones after it; all of them travel in one exec, split by a marker line. */
export async function rollBack(transport: Transport, snap: Snapshot): Promise<RollbackOutcome> {
  const restore: Change = {
    summary: `restore ${snap.entries.length} files from ${snap.dir}`,
    ops: [{ kind: 'exec', argv: ['sh', '-c', restoreScript('', snap)] }],
  };
  const steps = [restore, ...snap.handlers];
  const target = { root: transport.root, offline: transport.offline };
  const script = steps
    .map((change) => `echo '${MARK}-step'\n(\n${compileApplyScript([{ change, sets: [] }], target, true).script})`)
    .join('\n');
  const res = await transport.exec(script);
  const outputs = res.stdout.split(`${MARK}-step\n`).slice(1);
  const errors = steps.flatMap((change, i) => {
    const o = parseApplyOutput(outputs[i] ?? '', 1)[0]!;
    return o.status === 'ok' ? [] : [`${change.summary}: ${o.error ?? 'not run'}`];
  });
  return {
    ok: errors.length === 0,
    restored: snap.entries.filter((e) => e.existed).length,
    removed: snap.entries.filter((e) => !e.existed).length,
    handlers: snap.handlers.map((h) => h.summary),
    ...(errors.length ? { error: errors.join('; ') } : {}),
  };
}
