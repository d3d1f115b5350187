// `validate`: load, render and schema-check every task for every host. No host is contacted.
import { EXIT, ValidationError } from '../errors.js';
import { prepareHost } from '../plan/prepare.js';
import type { CliOptions } from './options.js';
import { connectionOf, connectionProblems } from './transports.js';
import { loadWorkspace } from './workspace.js';

export async function validateCommand(o: CliOptions, playbook: string | undefined): Promise<number> {
  const { plays, tasks, hosts } = await validated(o, playbook);
  const msg = `valid: ${plays} play${plays === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'}, ${hosts} host${hosts === 1 ? '' : 's'}`;
  process.stdout.write(o.json ? JSON.stringify({ event: 'valid', plays, tasks, hosts }) + '\n' : msg + '\n');
  return EXIT.ok;
}

/** Every input checked for every host; throws every problem found, else counts what was checked. */
export async function validated(o: CliOptions, playbook: string | undefined): Promise<{ plays: number; tasks: number; hosts: number }> {
  const ws = await loadWorkspace(o, playbook, true);
  const hosts = ws.plays.flatMap((p) => p.hosts);
  const problems = [
    ...connectionProblems(hosts),
    ...ws.plays.flatMap(({ play, hosts }) =>
      hosts.flatMap((h) => prepareHost(play, h.name, h.vars, ws.env, connectionOf(h.vars) === 'chroot', h.roleVars).problems),
    ),
  ];
  if (problems.length) throw new ValidationError(problems);
  const names = new Set(hosts.map((h) => h.name));
  return { plays: ws.plays.length, tasks: ws.plays.reduce((n, p) => n + p.play.tasks.length, 0), hosts: names.size };
}
