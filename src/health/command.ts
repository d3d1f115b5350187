// `portsync-deploy health [PLAYBOOK] -i INV [--limit P] [--json]`: runs the health lists of the
// playbook's plays (default playbooks/parts/health.yaml) on every host and prints the fleet
// table. Changes nothing. Exit 0 when every host is healthy, 1 when one is not, 4 when one is
// unreachable and the rest healthy.
import { secrets } from '../secrets/redact.js';
import { join } from 'node:path';
import { EXIT, ValidationError } from '../errors.js';
import type { CliOptions } from '../cli/options.js';
import { PACKAGE_ROOT } from '../cli/paths.js';
import { transportFactory } from '../cli/transports.js';
import { loadWorkspace } from '../cli/workspace.js';
import { runLimited } from '../exec/batches.js';
import { HostSessions } from '../exec/session.js';
import { probeHost, type HostHealth } from './probes.js';
import { healthTable } from './table.js';

export const DEFAULT_HEALTH_PLAYBOOK = join(PACKAGE_ROOT, 'playbooks/parts/health.yaml');

export async function healthCommand(o: CliOptions, playbook = DEFAULT_HEALTH_PLAYBOOK): Promise<number> {
  const ws = await loadWorkspace(o, playbook, true);
  const plays = ws.plays.filter((p) => p.play.health?.length);
  if (plays.length === 0) throw new ValidationError([{ message: `${playbook} has no play with a health: list`, hint: 'add "health:" with health_check tasks to a play' }]);
  const sessions = new HostSessions(await transportFactory(plays.flatMap((p) => p.hosts), { acceptNewHostKeys: o.acceptNewHostKeys, log: () => {} }));
  const byHost = new Map<string, HostHealth>();
  try {
    for (const { play, hosts } of plays) {
      await runLimited(hosts, o.forks, async (h) => {
        const r = await probeHost(play, h.name, h.vars, ws.env, sessions);
        const prev = byHost.get(h.name);
        byHost.set(h.name, prev ? { ...prev, ok: prev.ok && r.ok, tasks: [...prev.tasks, ...r.tasks], ...(r.error ? { error: r.error } : {}) } : r);
      });
    }
  } finally {
    await sessions.closeAll();
  }
  const hosts = [...byHost.values()].sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
  const shown = secrets.redactValue(hosts);
  process.stdout.write(o.json ? JSON.stringify({ event: 'health', hosts: shown }) + '\n' : healthTable(shown));
  if (hosts.every((h) => h.ok)) return EXIT.ok;
  return hosts.some((h) => !h.ok && !h.unreachable) ? EXIT.failed : EXIT.unreachable;
}
