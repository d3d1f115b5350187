// Profiles are data: each is checked against the guide's §12 trade-offs, then planned through
// playbooks/tuning.yaml (its `when:` conditions, templated args, module schemas and diffs) on
// hosts of different shapes, to show what each profile changes where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Change, JSONSchema, Module } from '../../../src/module.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { evalWhen } from '../../../src/playbook/when.js';
import { loadPlaybookDefaults } from '../../../src/vars/defaults.js';
import { renderValue } from '../../../src/render/expr-template.js';
import { defaultHost } from '../../helpers/fake-facts.js';
import { repoRoot, validateArgs } from './support.js';
import { planWith, type TuningFacts } from './tuning-support.js';
import thp from '../../../modules/thp/index.js';
import vm from '../../../modules/vm/index.js';
import ioScheduler from '../../../modules/io_scheduler/index.js';
import irqAffinity from '../../../modules/irq_affinity/index.js';
import rps from '../../../modules/rps/index.js';
import daemonScheduling from '../../../modules/daemon_scheduling/index.js';

const MODULES: Record<string, Module<never>> = Object.fromEntries(
  [thp, vm, ioScheduler, irqAffinity, rps, daemonScheduling].map((m) => [m.name, m as unknown as Module<never>]),
);
const PROFILES = ['latency', 'throughput', 'balanced'] as const;
type Profile = Record<string, unknown>;

const load = (rel: string) => parse(readFileSync(`${repoRoot}playbooks/${rel}`, 'utf8'));
const profile = (name: string): Profile => load(`profiles/${name}.yaml`);
const play = load('tuning.yaml')[0];
const defaults = loadPlaybookDefaults(`${repoRoot}playbooks/tuning.yaml`);
const TASK_KEYS = new Set(['name', 'when', 'tags', 'notify']);
const moduleOf = (task: Record<string, unknown>) => Object.keys(task).find((k) => !TASK_KEYS.has(k))!;

const SHAPES: Record<string, Partial<HostFacts>> = {
  'single-core': { cpusOnline: [0], numaNodes: [0] },
  'quad-core': { cpusOnline: [0, 1, 2, 3], numaNodes: [0] },
  'two-socket': { cpusOnline: [0, 1, 2, 3, 4, 5, 6, 7], numaNodes: [0, 1] },
};

function factsFor(shape: Partial<HostFacts>): TuningFacts {
  return {
    host: shape,
    nics: [{ name: 'Ethernet0', irqs: [100] }],
    blockDevices: [{ name: 'sda', schedulers: ['mq-deadline', 'none'], current: 'mq-deadline' }],
    sysctl: { 'vm.swappiness': '60', 'vm.overcommit_memory': '0', 'net.core.rps_sock_flow_entries': '0' },
    files: {
      '/sys/kernel/mm/transparent_hugepage/enabled': 'always [madvise] never\n',
      '/sys/kernel/mm/transparent_hugepage/defrag': 'always defer defer+madvise [madvise] never\n',
      '/proc/irq/100/smp_affinity_list': formatAll(shape.cpusOnline ?? [0]),
      '/sys/class/net/Ethernet0/queues/rx-0/rps_cpus': '0\n',
      '/sys/class/net/Ethernet0/queues/rx-0/rps_flow_cnt': '0\n',
      '/proc/swaps': 'Filename Type Size Used Priority\n',
      '/etc/fstab': 'UUID=1 / ext4 defaults 0 1\n',
    },
  };
}

function formatAll(cpus: number[]): string {
  return cpus.length === 1 ? `${cpus[0]}\n` : `${cpus[0]}-${cpus.at(-1)}\n`;
}

interface Planned {
  task: string;
  module: string;
  args: Record<string, unknown>;
  changes: Change[];
}

/** The tasks of tuning.yaml that run for `profileName` on a host of `shape`, planned. */
function planProfile(profileName: string, shapeName: string): Planned[] {
  const shape = SHAPES[shapeName];
  const vars = { ...defaults, ...profile(profileName), facts: { ...defaultHost, ...shape } };
  const out: Planned[] = [];
  for (const task of play.tasks as Record<string, unknown>[]) {
    // Like the engine, args are rendered and validated before facts exist, whatever `when` says.
    const module = moduleOf(task);
    const args = renderValue(task[module], vars) as Record<string, unknown>;
    const valid = validateArgs(MODULES[module].schema as JSONSchema, args);
    assert.ok(valid.ok, `${profileName}/${shapeName} "${task.name}": ${valid.ok ? '' : valid.errors.join('; ')}`);
    if (task.when !== undefined && !evalWhen(task.when as string, vars)) continue;
    const r = planWith(MODULES[module], factsFor(shape), args);
    assert.deepEqual(r.errors, [], `${profileName}/${shapeName} "${task.name}"`);
    out.push({ task: task.name as string, module, args, changes: r.changes });
  }
  return out;
}

/** The [Service] directives the plan writes to a drop-in, or "absent" when its removal task runs. */
function dropin(plan: Planned[], file: string): string[] | 'absent' {
  const p = plan.find((x) => x.module === 'daemon_scheduling' && x.args.dropin === file);
  if (!p) throw new Error(`no task for ${file}`);
  if (p.args.state === 'absent') return 'absent';
  const op = p.changes.flatMap((c) => c.ops).find((o) => o.kind === 'put');
  assert.ok(op?.kind === 'put', `${file} is not written`);
  return op.content.split('\n').filter((l) => /^[A-Z]\w+=/.test(l));
}

test('every profile defines the same variables, so no condition meets an undefined one', () => {
  const keys = PROFILES.map((p) => Object.keys(profile(p)).sort());
  assert.deepEqual(keys[1], keys[0]);
  assert.deepEqual(keys[2], keys[0]);
});

test('§12 as data: RT only for latency, THP off only for latency, pinning only for latency', () => {
  const rows: [string, (p: Profile) => unknown, Record<string, unknown>][] = [
    ['RT scheduling', (p) => p.tuning_realtime, { latency: true, throughput: false, balanced: false }],
    ['RT policy', (p) => p.tuning_rt_policy, { latency: 'rr', throughput: 'other', balanced: 'other' }],
    ['THP enabled', (p) => p.tuning_thp_enabled, { latency: 'never', throughput: 'madvise', balanced: 'madvise' }],
    ['CPU affinity', (p) => p.tuning_pin_cpus, { latency: true, throughput: false, balanced: false }],
    ['RPS', (p) => p.tuning_rps, { latency: true, throughput: true, balanced: false }],
    ['NUMA policy', (p) => p.tuning_numa_policy, { latency: 'bind', throughput: 'interleave', balanced: 'default' }],
    ['swap', (p) => p.tuning_swap, { latency: 'off', throughput: 'keep', balanced: 'keep' }],
  ];
  for (const [row, get, want] of rows) {
    assert.deepEqual(Object.fromEntries(PROFILES.map((p) => [p, get(profile(p))])), want, row);
  }
});

test('§9 checklist values hold in every profile, limits from the defaults', () => {
  for (const p of PROFILES) {
    const v = profile(p);
    assert.deepEqual([v.tuning_swappiness, v.tuning_overcommit_memory, v.tuning_daemon_nice], [0, 1, -10], p);
    assert.equal(
      Object.keys(v).some((k) => k.startsWith('tuning_limit')),
      false,
      `${p} sets limits, which belong to portsyncd_limits`,
    );
  }
  assert.deepEqual(defaults.portsyncd_limits, { nofile: 65536, nproc: 4096, memlock: 'infinity' });
});

test('fact gates: every pair of tasks runs exactly one side, for every profile and host shape', () => {
  for (const p of PROFILES) {
    for (const shape of Object.keys(SHAPES)) {
      const plan = planProfile(p, shape);
      const keyOf = (x: Planned) => `${x.module}:${x.args.dropin ?? ''}`;
      const keys = plan.map(keyOf);
      assert.equal(new Set(keys).size, keys.length, `${p}/${shape}: both sides of a pair ran`);
      assert.equal(keys.length, 10, `${p}/${shape}: ${keys.join(', ')}`);
    }
  }
});

test('latency on a two-socket host: pinned, NUMA-bound, real-time, THP off', () => {
  const plan = planProfile('latency', 'two-socket');
  assert.deepEqual(dropin(plan, '51-cpu-affinity.conf'), ['CPUAffinity=1']);
  assert.deepEqual(dropin(plan, '52-numa.conf'), ['NUMAPolicy=bind', 'NUMAMask=0']);
  assert.deepEqual(dropin(plan, '53-realtime.conf'), ['CPUSchedulingPolicy=rr', 'CPUSchedulingPriority=10']);
  assert.deepEqual(dropin(plan, '50-scheduling.conf'), ['Nice=-10', 'LimitNOFILE=65536', 'LimitNPROC=4096', 'LimitMEMLOCK=infinity']);
  const summaries = plan.flatMap((p) => p.changes.map((c) => c.summary));
  assert.ok(summaries.includes('IRQ affinity of 100 (Ethernet0) -> CPUs 1'), summaries.join('\n'));
  assert.ok(summaries.includes('RPS of Ethernet* -> CPUs 1'));
  assert.ok(summaries.includes('THP enabled: madvise -> never'));
  assert.ok(summaries.includes('I/O scheduler of sda -> none'));
});

test('latency on smaller hosts: no NUMA policy on one node, no pinning on one core, RT stays', () => {
  const quad = planProfile('latency', 'quad-core');
  assert.equal(dropin(quad, '52-numa.conf'), 'absent');
  assert.deepEqual(dropin(quad, '51-cpu-affinity.conf'), ['CPUAffinity=1']);
  const single = planProfile('latency', 'single-core');
  assert.equal(dropin(single, '51-cpu-affinity.conf'), 'absent');
  assert.equal(dropin(single, '52-numa.conf'), 'absent');
  assert.deepEqual(dropin(single, '53-realtime.conf'), ['CPUSchedulingPolicy=rr', 'CPUSchedulingPriority=10']);
  assert.ok(!single.some((p) => p.module === 'irq_affinity' && p.changes.length > 0), 'no IRQ pinning on one core');
});

test('throughput: RPS and RFS over all CPUs, NUMA interleave on two sockets, no RT', () => {
  const plan = planProfile('throughput', 'two-socket');
  assert.deepEqual(dropin(plan, '52-numa.conf'), ['NUMAPolicy=interleave', 'NUMAMask=all']);
  assert.equal(dropin(plan, '53-realtime.conf'), 'absent');
  assert.equal(dropin(plan, '51-cpu-affinity.conf'), 'absent');
  const rpsChange = plan.find((p) => p.task === 'Receive packet steering')!.changes[1];
  assert.equal(rpsChange.summary, 'RPS of Ethernet* -> CPUs 0-7');
  assert.match(rpsChange.diff ?? '', /rps_cpus: 0 -> ff$/m);
  assert.ok(!plan.some((p) => p.changes.some((c) => /^THP/.test(c.summary))), 'madvise is already set');
});

test('balanced: only the checklist; IRQs, RPS, NUMA and RT left to the kernel', () => {
  const plan = planProfile('balanced', 'two-socket');
  for (const f of ['51-cpu-affinity.conf', '52-numa.conf', '53-realtime.conf']) assert.equal(dropin(plan, f), 'absent', f);
  assert.ok(plan.filter((p) => p.module === 'irq_affinity' || p.module === 'rps').every((p) => p.changes.length === 0));
});

test('the profile file name is templated from tuning_profile, balanced by default', () => {
  const path = play.vars_files[0] as string;
  assert.equal(renderValue(path, {}), 'profiles/balanced.yaml');
  assert.equal(renderValue(path, { tuning_profile: 'latency' }), 'profiles/latency.yaml');
});
