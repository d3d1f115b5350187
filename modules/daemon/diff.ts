// The daemon module's diff: the release uploaded and switched to, its config, unit and drop-ins,
// and old releases pruned.
import type { Facts } from '../../src/facts/types.js';
import type { Change, PlanContext } from '../../src/module.js';
import { archOfMachine, readArtifact, resolveArtifactPath, type Arch, type Artifact } from './artifact.js';
import { asicChanges } from './asics.js';
import { configChange, enableChange, tuningChange, UNIT, unitChange } from './files.js';
import { pruneChange, RESTART, switchChange, uploadChange } from './release.js';
import type { DaemonArgs } from './schema.js';
import { readFailure } from '../../src/read-regular.js';

export const UNAME_M = ['uname', '-m'];
export const ARCH_ARG: Record<Arch, 'artifact' | 'artifact_arm64'> = { x64: 'artifact', arm64: 'artifact_arm64' };
export const BUNDLE_CMD: Record<Arch, string> = { x64: 'npm run bundle', arm64: 'npm run bundle -- --arch arm64' };

export function artifactOf(args: DaemonArgs, ctx: PlanContext, arch: Arch, report = true): Artifact | null {
  const arg = args[ARCH_ARG[arch]];
  let path: string;
  try {
    // Every host asks (twice with its needs): the run reads LATEST and the artifact once.
    const dir = ctx.vars.playbook_dir;
    const where = JSON.stringify([arch, arg ?? null, typeof dir === 'string' ? dir : null]);
    path = ctx.readOnce(`daemon artifact path ${where}`, () => resolveArtifactPath(arg, dir, arch));
    return ctx.readOnce(`daemon artifact\0${path}`, () => readArtifact(path));
  } catch (e) {
    const why = readFailure(e);
    if (report)
      ctx.error(
        `cannot read the portsyncd ${arch === 'x64' ? '' : `${arch} `}artifact${arg ? ` ${arg}` : ''}: ${why}`,
        arg ? [ARCH_ARG[arch]] : [],
        `build it with "${BUNDLE_CMD[arch]}", or set ${ARCH_ARG[arch]}: to a portsyncd-${arch === 'x64' ? '' : `${arch}-`}<hash>.tar.gz`,
      );
    return null;
  }
}

/**
 * The artifact for the switch's CPU (`uname -m`: the host section's on a live switch). An offline
 * root (an image in a chroot) may have no uname to run: it gets the x86_64 artifact, as the
 * machine building it runs x86_64.
 */
export function hostArtifact(facts: Facts, args: DaemonArgs, ctx: PlanContext): Artifact | null {
  const { arch, seen } = ctx.offline ? offlineArch(facts) : liveArch(facts);
  if (!arch) {
    ctx.error(`no portsyncd artifact for this switch's architecture (${seen})`, [], 'portsyncd is built for x86_64 and aarch64 switches');
    return null;
  }
  return artifactOf(args, ctx, arch);
}

function liveArch(facts: Facts): { arch?: Arch; seen: string } {
  const machine = facts.host.machine;
  return { arch: archOfMachine(machine), seen: machine || 'uname -m failed' };
}

function offlineArch(facts: Facts): { arch?: Arch; seen: string } {
  const uname = facts.cmd(UNAME_M);
  return uname.rc === 0 ? { arch: archOfMachine(uname.stdout), seen: uname.stdout.trim() } : { arch: 'x64', seen: '' };
}

/** A stopped daemon with nothing else to restart it is started. */
export function startChange(changes: Change[], active: string, offline: boolean): Change | null {
  if (offline || active === 'active' || changes.some((c) => c.notify?.includes(RESTART))) return null;
  return { summary: `start ${UNIT} (now ${active})`, ops: [], notify: [RESTART] };
}

export function daemonDiff(facts: Facts, args: DaemonArgs, ctx: PlanContext): Change[] {
  const a = hostArtifact(facts, args, ctx);
  if (!a) return [];
  const changes = [
    uploadChange(facts, args.prefix, a),
    configChange(facts, args, ctx),
    unitChange(facts, args, ctx),
    tuningChange(facts, args, ctx),
    enableChange(facts),
    ...asicChanges(facts, args, ctx),
    switchChange(facts, args.prefix, a),
    pruneChange(facts, args.prefix, a, args.keep_releases),
  ].filter((c): c is Change => c !== null);
  const start = startChange(changes, facts.unit(UNIT).active, ctx.offline);
  return start ? [...changes, start] : changes;
}
