// ansible-playbook's --list-hosts, --list-tasks and --list-tags, in its layout, and
// --syntax-check (what `validate` checks). No host is contacted.
import { relative } from 'node:path';
import { EXIT } from '../errors.js';
import { taskSelected } from '../plan/tags.js';
import type { CliOptions } from './options.js';
import { validateCommand } from './validate-command.js';
import { loadWorkspace } from './workspace.js';

export async function listCommand(o: CliOptions, playbook: string | undefined): Promise<number> {
  if (o.syntaxCheck && !(o.listHosts || o.listTasks || o.listTags)) return validateCommand(o, playbook);
  const ws = await loadWorkspace(o, playbook, true);
  const tags = { only: o.tags, skip: o.skipTags };
  const out: string[] = ['', `playbook: ${relative(process.cwd(), playbook!) || playbook}`];
  ws.plays.forEach(({ play, hosts }, i) => {
    out.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${play.tags.join(', ')}]`);
    if (o.listHosts) {
      out.push(`    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`, ...hosts.map((h) => `      ${h.name}`));
    }
    const tasks = play.tasks.filter((t) => taskSelected(play, t, tags));
    if (o.listTasks) {
      out.push('    tasks:', ...tasks.map((t) => `      ${t.name}\tTAGS: [${[...new Set([...play.tags, ...t.tags])].sort().join(', ')}]`));
    }
    if (o.listTags) {
      const all = new Set(tasks.flatMap((t) => [...play.tags, ...t.tags]));
      out.push(`      TASK TAGS: [${[...all].sort().join(', ')}]`);
    }
  });
  process.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}
