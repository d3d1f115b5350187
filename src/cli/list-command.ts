// ansible-playbook's --list-hosts, --list-tasks and --list-tags, in its layout, and
// --syntax-check (what `validate` checks; it wins over the lists, as in Ansible). No host is contacted.
import { relative } from 'node:path';
import { EXIT } from '../errors.js';
import { taskSelected } from '../plan/tags.js';
import type { Task } from '../playbook/types.js';
import { posOf } from '../source-map.js';
import type { CliOptions } from './options.js';
import { validateCommand, validated } from './validate-command.js';
import { loadWorkspace } from './workspace.js';

export async function listCommand(o: CliOptions, playbook: string | undefined): Promise<number> {
  const header = ['', `playbook: ${relative(process.cwd(), playbook!) || playbook}`];
  if (o.syntaxCheck) {
    if (o.json) return validateCommand(o, playbook);
    await validated(o, playbook);
    process.stdout.write(header.join('\n') + '\n');
    return EXIT.ok;
  }
  const ws = await loadWorkspace(o, playbook, true);
  const tags = { only: o.tags, skip: o.skipTags };
  const out = [...header];
  ws.plays.forEach(({ play, hosts }, i) => {
    out.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${[...new Set(play.tags)].sort().join(',')}]`);
    if (o.listHosts) {
      out.push(
        `    pattern: [${(play.hostList ?? [play.hosts]).map((p) => `'${p}'`).join(', ')}]`,
        `    hosts (${hosts.length}):`,
        ...hosts.map((h) => `      ${h.name}`),
      );
    }
    const tasks = play.tasks.filter((t) => taskSelected(play, t, tags));
    if (o.listTasks) {
      out.push(
        '    tasks:',
        ...tasks.map((t) => `      ${listedName(t)}\tTAGS: [${[...new Set([...play.tags, ...t.tags])].sort().join(', ')}]`),
      );
    }
    if (o.listTags) {
      const all = new Set([...play.tags, ...tasks.flatMap((t) => t.tags)]);
      out.push(`      TASK TAGS: [${[...all].sort().join(', ')}]`);
    }
  });
  process.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}

/** As ansible-playbook names a task without `name:`: by its action alone, even in a role. */
function listedName(t: Task): string {
  if (posOf(t, 'name')) return t.name;
  return t.meta ? 'meta' : t.module;
}
