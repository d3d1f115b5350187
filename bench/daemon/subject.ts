// Which portsyncd the benchmark starts. By default the shipped artifact
// (build/portsyncd/LATEST, unpacked): its own node, its esbuild bundle and its
// launcher's V8 flags, started as the systemd unit starts it. `dist` runs the
// launcher of this tree on daemon/dist/main.js; explicit node flags (e.g.
// --cpu-prof) run node on daemon/dist/main.js with exactly those flags.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/daemon/helpers/env.js';

export interface Subject {
  /** What the results record as "daemon". */
  label: string;
  command?: string[];
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

function run(argv: string[], cwd: string): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
}

/** Unpacks the latest artifact (building it when there is none) into `dir`. */
function artifact(dir: string): Subject {
  const root = repoRoot();
  const latest = join(root, 'build/portsyncd/LATEST');
  if (!existsSync(latest)) run(['npm', 'run', '--silent', 'bundle'], root);
  const name = readFileSync(latest, 'utf8').trim();
  const into = join(dir, 'artifact');
  mkdirSync(into, { recursive: true });
  run(['tar', '-xzf', join(root, 'build/portsyncd', name), '-C', into], root);
  return {
    label: `artifact ${name}`,
    command: [join(into, 'bin/portsyncd')],
    env: { PORTSYNCD_NODE: join(into, 'bin/node'), PORTSYNCD_ENTRY: join(into, 'lib/portsyncd.mjs') },
  };
}

export function subject(kind: string, nodeArgs: string | undefined, dir: string): Subject {
  if (nodeArgs !== undefined) {
    const args = nodeArgs.split(/\s+/).filter(Boolean);
    return { label: `node ${args.join(' ')} daemon/dist/main.js`.replace(/ +/g, ' '), nodeArgs: args };
  }
  if (kind === 'dist')
    return {
      label: 'daemon/bin/portsyncd (daemon/dist)',
      command: [join(repoRoot(), 'daemon/bin/portsyncd')],
      env: { PORTSYNCD_NODE: process.execPath },
    };
  if (kind === 'artifact') return artifact(dir);
  throw new Error(`--daemon ${kind}: use artifact or dist`);
}
