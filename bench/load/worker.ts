// One measured pass: load and validate the playbook and inventory, resolve every host's vars,
// render and validate every task's args, and plan every host against empty offline facts, which
// renders every template. Nothing is contacted. Runs inside the worker bundle (./bundle.ts), which
// is built as the CLI's: modules linked in, schemas validated by the code compiled at build time.
import { ValidationError } from '../../src/errors.js';
import { parseCliOptions } from '../../src/cli/options.js';
import { loadWorkspace } from '../../src/cli/workspace.js';
import { prepareHost } from '../../src/plan/prepare.js';
import { planHost } from '../../src/plan/plan-host.js';
import { buildFacts } from '../../src/facts/facts-view.js';
import type { HostFacts } from '../../src/facts/types.js';

const emptyHost: HostFacts = {
  hostname: 'bench',
  kernel: '6.1.0',
  machine: 'x86_64',
  cpusOnline: [0, 1, 2, 3],
  numaNodes: [0],
  systemd: false,
};

export interface PassResult {
  hosts: number;
  groups: number;
  tasksPlanned: number;
  problems: number;
  loadMs: number;
  planMs: number;
  totalMs: number;
  cpuMs: number;
  maxRssMB: number;
}

export async function planOffline(playbook: string, inventory: string): Promise<PassResult> {
  const started = performance.now();
  const ws = await loadWorkspace(parseCliOptions([playbook, '-i', inventory, '--check']), playbook, true);
  const loaded = performance.now();
  let tasks = 0;
  let problems = 0;
  for (const { play, hosts } of ws.plays) {
    for (const h of hosts) {
      const prep = prepareHost(play, h.name, h.vars, ws.env, true);
      problems += prep.problems.length;
      try {
        tasks += planHost(prep, buildFacts(emptyHost, prep.queries, new Map()), ws.env, true).tasks.length;
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        problems += err.problems.length;
      }
    }
  }
  const done = performance.now();
  const cpu = process.cpuUsage();
  return {
    hosts: ws.inventory.hosts.size,
    groups: ws.inventory.groups.size,
    tasksPlanned: tasks,
    problems,
    loadMs: +(loaded - started).toFixed(1),
    planMs: +(done - loaded).toFixed(1),
    totalMs: +(done - started).toFixed(1),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
  };
}
