// daemon: deploys the bundled portsyncd. Uploads the artifact only when its release is missing
// (a re-run uploads nothing), unpacks it beside the previous releases, switches `current`
// atomically, renders the config, the unit (Type=notify, watchdog, restart on failure) and the
// optional tuning drop-in, and restarts the daemon through its handler.
import type { FactQuery } from '../../src/facts/types.js';
import type { Change, Module, PlanContext } from '../../src/module.js';
import { readArtifact, resolveArtifactPath, type Artifact } from './artifact.js';
import { configChange, enableChange, tuningChange, UNIT, unitChange, WANTS_LINK } from './files.js';
import { currentLink, dropinPath, listReleasesArgv, unitPath, releaseMarker } from './layout.js';
import { pruneChange, RESTART, switchChange, uploadChange } from './release.js';
import { schema, type DaemonArgs } from './schema.js';

function artifactOf(args: DaemonArgs, ctx: PlanContext, report = true): Artifact | null {
  let path: string;
  try {
    path = resolveArtifactPath(args.artifact, ctx.vars.playbook_dir);
    return readArtifact(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    if (report) ctx.error(`cannot read the portsyncd artifact${args.artifact ? ` ${args.artifact}` : ''}: ${why}`, args.artifact ? ['artifact'] : [], 'build it with "npm run bundle", or set artifact: to a portsyncd-<hash>.tar.gz');
    return null;
  }
}

/** A stopped daemon with nothing else to restart it is started. */
function startChange(changes: Change[], active: string, offline: boolean): Change | null {
  if (offline || active === 'active' || changes.some((c) => c.notify?.includes(RESTART))) return null;
  return { summary: `start ${UNIT} (now ${active})`, ops: [], notify: [RESTART] };
}

const RESTART_OR_STOP = 'if [ -e "$2" ]; then systemctl restart "$1"; else systemctl stop "$1" 2>/dev/null; true; fi';

const daemon: Module<DaemonArgs> = {
  name: 'daemon',
  schema,

  needs(args, ctx) {
    const a = artifactOf(args, ctx, false);
    const files = [args.config_path, unitPath(UNIT), ...(args.tuning === null ? [] : [dropinPath(UNIT, args.tuning_dropin)])];
    return [
      ...(a ? [{ kind: 'file' as const, path: releaseMarker(args.prefix, a.id) }] : []),
      { kind: 'stat', path: currentLink(args.prefix) },
      { kind: 'cmd', argv: listReleasesArgv(args.prefix) },
      ...files.flatMap((path): FactQuery[] => [{ kind: 'file', path }, { kind: 'stat', path }]),
      { kind: 'stat', path: WANTS_LINK },
      { kind: 'unit', name: UNIT },
    ];
  },

  diff(facts, args, ctx) {
    const a = artifactOf(args, ctx);
    if (!a) return [];
    const changes = [
      uploadChange(facts, args.prefix, a),
      configChange(facts, args, ctx),
      unitChange(facts, args, ctx),
      tuningChange(facts, args, ctx),
      enableChange(facts),
      switchChange(facts, args.prefix, a),
      pruneChange(facts, args.prefix, a, args.keep_releases),
    ].filter((c): c is Change => c !== null);
    const start = startChange(changes, facts.unit(UNIT).active, ctx.offline);
    return start ? [...changes, start] : changes;
  },

  handlers: {
    [RESTART]: {
      summary: `systemctl restart ${UNIT}`,
      // Module handlers run in module order; reload here so the restart sees the new unit. A
      // rollback of a first install removes the unit: then the daemon is stopped instead.
      ops: [
        { kind: 'exec', argv: ['systemctl', 'daemon-reload'], live: true },
        { kind: 'exec', argv: ['sh', '-c', RESTART_OR_STOP, 'restart', UNIT, unitPath(UNIT)], live: true },
      ],
    },
  },
};

export default daemon;
