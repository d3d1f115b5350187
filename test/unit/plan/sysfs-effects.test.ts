// Sysfs writes are effects: a tuning task's live write declares the value it leaves, and a later
// task of the play that reads the same kernel file plans against it. Planned through the real
// modules and the planner, as `--check` plans them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Module } from '../../../src/module.js';
import type { Task } from '../../../src/playbook/types.js';
import type { PlanEnv } from '../../../src/plan/types.js';
import { loadModuleRegistry } from '../../../src/modules-registry.js';
import { prepareHost } from '../../../src/plan/prepare.js';
import { planHost } from '../../../src/plan/plan-host.js';
import { testPlay } from '../../helpers/play.js';
import { renderTemplate } from '../modules/support.js';
import { factsFor, type TuningFacts } from '../modules/tuning-support.js';

const registry = await loadModuleRegistry(fileURLToPath(new URL('../../../modules/', import.meta.url)));

const env: PlanEnv = {
  registry,
  renderArgs: (args) => structuredClone(args),
  renderTemplate,
  evalWhen: () => true,
  check: true,
  tags: { only: [], skip: [] },
};

const task = (module: string, args: Record<string, unknown>, line: number): Task => ({
  name: `${module} ${line}`,
  module,
  args,
  tags: [],
  notify: [],
  listen: [],
  pos: { file: 'site.yaml', line, col: 7 },
});

/** Two tasks of one play with the same args: each task's status and the live writes it plans. */
function planTwo(module: string, data: TuningFacts, args: Record<string, unknown>) {
  const prep = prepareHost(testPlay({ tasks: [task(module, args, 2), task(module, args, 5)] }), 'sw1', {}, env, false);
  assert.deepEqual(prep.problems, []);
  const mod = registry.get(module) as Module<Record<string, unknown>>;
  const plan = planHost(prep, factsFor(mod, prep.tasks[0]!.args, data), env, false);
  const liveWrites = plan.tasks.map((t) => t.changes.flatMap((c) => c.ops).filter((op) => op.kind === 'exec' && op.live).length);
  return { statuses: plan.tasks.map((t) => t.status), liveWrites };
}

test('thp: a second task for the same knob sees the value the first writes', () => {
  const data = { files: { '/sys/kernel/mm/transparent_hugepage/enabled': '[always] madvise never\n' } };
  assert.deepEqual(planTwo('thp', data, { enabled: 'madvise' }), { statuses: ['changed', 'ok'], liveWrites: [1, 0] });
});

test('io_scheduler: the scheduler the first task writes is the one the second reads', () => {
  const data = { blockDevices: [{ name: 'sda', schedulers: ['mq-deadline', 'none'], current: 'mq-deadline' }] };
  assert.deepEqual(planTwo('io_scheduler', data, { devices: 'sda', scheduler: 'none' }), {
    statuses: ['changed', 'ok'],
    liveWrites: [1, 0],
  });
});

test('irq_affinity and rps: pins and masks an earlier task writes are current for the next', () => {
  const nic = {
    nics: [{ name: 'Ethernet0', irqs: [40, 41] }],
    files: { '/proc/irq/40/smp_affinity_list': '0-3\n', '/proc/irq/41/smp_affinity_list': '0-3\n' },
  };
  assert.deepEqual(planTwo('irq_affinity', nic, { interfaces: 'Ethernet0', cpus: '2' }), {
    statuses: ['changed', 'ok'],
    liveWrites: [1, 0],
  });
  const rps = { files: { '/sys/class/net/Ethernet0/queues/rx-0/rps_cpus': '00000000\n' } };
  assert.deepEqual(planTwo('rps', rps, { interfaces: 'Ethernet0', cpus: '1-2' }), { statuses: ['changed', 'ok'], liveWrites: [1, 0] });
});
