// daemon: deploys the bundled portsyncd. Uploads the artifact only when its release is missing
// (a re-run uploads nothing), unpacks it beside the previous releases, switches `current`
// atomically, renders the config, the unit (Type=notify, watchdog, restart on failure) and the
// optional tuning drop-in, and restarts the daemon through its handler.
import type { Facts, FactQuery } from '../../src/facts/types.js';
import type { Change, Module, PlanContext } from '../../src/module.js';
import { daemonReload, HANDLER_ORDER } from '../_shared/handlers.js';
import { asicChanges, DATABASE_GLOBAL, instanceFiles, instanceWantsLink } from './asics.js';
import { archOfMachine, readArtifact, resolveArtifactPath, type Arch, type Artifact } from './artifact.js';
import { configChange, enableChange, tuningChange, UNIT, unitChange, WANTS_LINK } from './files.js';
import { currentLink, dropinPath, listReleasesArgv, unitPath, releaseMarker } from './layout.js';
import { pruneChange, RESTART, switchChange, uploadChange } from './release.js';
import { schema, type DaemonArgs } from './schema.js';

const UNAME_M = ['uname', '-m'];
const WANTS_DIR = '/etc/systemd/system/multi-user.target.wants';
const ARCH_ARG: Record<Arch, 'artifact' | 'artifact_arm64'> = { x64: 'artifact', arm64: 'artifact_arm64' };
const BUNDLE_CMD: Record<Arch, string> = { x64: 'npm run bundle', arm64: 'npm run bundle -- --arch arm64' };

function artifactOf(args: DaemonArgs, ctx: PlanContext, arch: Arch, report = true): Artifact | null {
  const arg = args[ARCH_ARG[arch]];
  let path: string;
  try {
    path = resolveArtifactPath(arg, ctx.vars.playbook_dir, arch);
    return readArtifact(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
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
 * The artifact for the switch's CPU (`uname -m`). An offline root (an image in a chroot) may
 * have no uname to run: it gets the x86_64 artifact, as the machine building it runs x86_64.
 */
function hostArtifact(facts: Facts, args: DaemonArgs, ctx: PlanContext): Artifact | null {
  const uname = facts.cmd(UNAME_M);
  const arch = uname.rc === 0 ? archOfMachine(uname.stdout) : ctx.offline ? 'x64' : undefined;
  if (!arch) {
    const seen = uname.rc === 0 ? uname.stdout.trim() : `uname -m failed: ${uname.stderr.trim()}`;
    ctx.error(`no portsyncd artifact for this switch's architecture (${seen})`, [], 'portsyncd is built for x86_64 and aarch64 switches');
    return null;
  }
  return artifactOf(args, ctx, arch);
}

/** A stopped daemon with nothing else to restart it is started. */
function startChange(changes: Change[], active: string, offline: boolean): Change | null {
  if (offline || active === 'active' || changes.some((c) => c.notify?.includes(RESTART))) return null;
  return { summary: `start ${UNIT} (now ${active})`, ops: [], notify: [RESTART] };
}

// Then every enabled portsyncd@<asic> of a multi-ASIC switch (their links name them).
const RESTART_OR_STOP =
  'if [ -e "$2" ]; then systemctl restart "$1"; else systemctl stop "$1" 2>/dev/null; true; fi; ' +
  'for l in "$3"/portsyncd@*.service; do [ -e "$l" ] && systemctl restart "${l##*/}"; done; true';

const daemon: Module<DaemonArgs> = {
  name: 'daemon',
  schema,

  needs(args, ctx) {
    // The switch's architecture is a fact too, so both artifacts' markers are asked for.
    const artifacts = (['x64', 'arm64'] as const)
      .map((arch) => artifactOf(args, ctx, arch, false))
      .filter((a): a is Artifact => a !== null);
    const files = [
      args.config_path,
      unitPath(UNIT),
      ...(args.tuning === null ? [] : [dropinPath(UNIT, args.tuning_dropin)]),
      ...instanceFiles(args),
    ];
    return [
      { kind: 'cmd', argv: UNAME_M },
      ...artifacts.map((a) => ({ kind: 'file' as const, path: releaseMarker(args.prefix, a.id) })),
      { kind: 'stat', path: currentLink(args.prefix) },
      { kind: 'cmd', argv: listReleasesArgv(args.prefix) },
      ...files.flatMap((path): FactQuery[] => [
        { kind: 'file', path },
        { kind: 'stat', path },
      ]),
      { kind: 'stat', path: WANTS_LINK },
      { kind: 'unit', name: UNIT },
      ...(args.asics.length
        ? [
            { kind: 'file' as const, path: DATABASE_GLOBAL },
            ...args.asics.map((a) => ({ kind: 'stat' as const, path: instanceWantsLink(a) })),
          ]
        : []),
    ];
  },

  diff(facts, args, ctx) {
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
  },

  // The restart runs after the daemon-reload its unit changes notify (HANDLER_ORDER). A rollback
  // of a first install removes the unit: then the daemon is stopped instead.
  handlers: [
    daemonReload,
    {
      key: RESTART,
      summary: `systemctl restart ${UNIT}`,
      ops: [{ kind: 'exec', argv: ['sh', '-c', RESTART_OR_STOP, 'restart', UNIT, unitPath(UNIT), WANTS_DIR], live: true }],
      order: HANDLER_ORDER.restartServices,
    },
  ],
};

export default daemon;
