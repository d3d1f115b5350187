// `portsync-deploy health [PLAYBOOK] -i INV [--limit P] [--json]`: runs the health lists of the
// playbook's plays (default playbooks/parts/health.yaml) on every host and prints the fleet
// table. Changes nothing. Exit 0 when every host is healthy, 1 when one is not, 3 when a health
// task cannot be planned (located problems, once with their hosts), 4 when one is unreachable
// and the rest healthy.
import { join } from 'node:path';
import { EXIT, ValidationError, groupProblems } from '../errors.js';
import { runLimited } from '../exec/batches.js';
import { HostSessions } from '../exec/session.js';
import { probeHost, type HostHealth } from '../exec/probe-host.js';
import { healthTable } from '../health/table.js';
import { secrets } from '../secrets/redact.js';
import type { CliOptions } from './options.js';
import { PACKAGE_ROOT } from './paths.js';
import { transportFactory } from './transports.js';
import { loadWorkspace } from './workspace.js';
import { reportFile } from './report-file.js';

export const DEFAULT_HEALTH_PLAYBOOK = join(PACKAGE_ROOT, 'playbooks/parts/health.yaml');

export async function healthCommand(o: CliOptions, playbook = DEFAULT_HEALTH_PLAYBOOK): Promise<number> {
  const ws = await loadWorkspace(o, playbook, true);
  const report = reportFile(o);
  const plays = ws.plays.filter((p) => p.play.health?.length);
  if (plays.length === 0)
    throw new ValidationError([
      { message: `${playbook} has no play with a health: list`, hint: 'add "health:" with health_check tasks to a play' },
    ]);
  const sessions = new HostSessions(
    await transportFactory(
      plays.flatMap((p) => p.hosts),
      { acceptNewHostKeys: o.acceptNewHostKeys, log: () => {} },
    ),
  );
  const byHost = new Map<string, HostHealth>();
  try {
    for (const { play, hosts } of plays) {
      await runLimited(hosts, o.forks, async (h) => {
        const r = await probeHost(play, h.name, h.vars, ws.env, sessions);
        const prev = byHost.get(h.name);
        const problems = [...(prev?.problems ?? []), ...(r.problems ?? [])];
        byHost.set(
          h.name,
          prev
            ? {
                ...prev,
                ok: prev.ok && r.ok,
                tasks: [...prev.tasks, ...r.tasks],
                ...(r.error ? { error: r.error } : {}),
                ...(problems.length ? { problems } : {}),
              }
            : r,
        );
      });
    }
  } finally {
    await sessions.closeAll();
  }
  const problems = [...byHost.values()].flatMap((h) => h.problems ?? []);
  if (problems.length) throw new ValidationError(groupProblems(problems));
  const hosts = [...byHost.values()].sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
  const shown = secrets.redactValue(hosts);
  process.stdout.write(o.json ? JSON.stringify({ event: 'health', hosts: shown }) + '\n' : healthTable(shown));
  const code = hosts.every((h) => h.ok) ? EXIT.ok : hosts.some((h) => !h.ok && !h.unreachable) ? EXIT.failed : EXIT.unreachable;
  return report ? report.finish(code, shown) : code;
}
