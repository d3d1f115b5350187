// daemon: deploys the bundled portsyncd. Uploads the artifact only when its release is missing
// (a re-run uploads nothing), unpacks it beside the previous releases, switches `current`
// atomically, renders the config, the unit (Type=notify, watchdog, restart on failure) and the
// optional tuning drop-in, and restarts the daemon through its handler.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { daemonReload, HANDLER_ORDER } from '../_shared/handlers.js';
import { DATABASE_GLOBAL, instanceFiles, instanceWantsLink } from './asics.js';
import { type Artifact } from './artifact.js';
import { UNIT, WANTS_LINK } from './files.js';
import { currentLink, dropinPath, releasesDir, unitPath, releaseMarker } from './layout.js';
import { RESTART } from './release.js';
import { schema, type DaemonArgs } from './schema.js';
import { daemonDiff, UNAME_M, artifactOf } from './diff.js';

// Then every enabled portsyncd@<asic> of a multi-ASIC switch (their links name them).
const RESTART_OR_STOP =
  'if [ -e "$2" ]; then systemctl restart "$1"; else systemctl stop "$1" 2>/dev/null; true; fi; ' +
  'for l in "$3"/portsyncd@*.service; do [ -e "$l" ] && systemctl restart "${l##*/}"; done; true';

const WANTS_DIR = '/etc/systemd/system/multi-user.target.wants';

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
      // The architecture: a live switch's from the host section (no process on kernels with
      // kernel.arch), an offline root's from its own uname, if it has one.
      ctx.offline ? { kind: 'cmd', argv: UNAME_M } : { kind: 'host' },
      ...artifacts.map((a) => ({ kind: 'file' as const, path: releaseMarker(args.prefix, a.id) })),
      // Links: their targets are what counts, not hashes of what they lead to.
      { kind: 'stat', path: currentLink(args.prefix), hash: false },
      // Newest first, listed by the gather's own shell.
      { kind: 'entries', path: releasesDir(args.prefix) },
      ...files.flatMap((path): FactQuery[] => [
        { kind: 'file', path },
        { kind: 'stat', path },
      ]),
      { kind: 'stat', path: WANTS_LINK, hash: false },
      { kind: 'unit', name: UNIT },
      ...(args.asics.length
        ? [
            { kind: 'file' as const, path: DATABASE_GLOBAL },
            ...args.asics.map((a) => ({ kind: 'stat' as const, path: instanceWantsLink(a), hash: false as const })),
          ]
        : []),
    ];
  },

  diff: daemonDiff,

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
