// Table-test support for the tuning modules: a recording context over the real templates, and a
// fake "apply" that plays Change ops onto fake facts, so a test can plan, apply and plan again.
import type { Change, PlanContext } from '../../../src/module.js';
import type { JSONSchema, Module } from '../../../src/module.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { renderTemplate, withDefaults } from './support.js';
import { irqFactsQuery } from '../../../modules/_tuning/irqs.js';

export function tuningContext(opts: Partial<PlanContext> = {}) {
  return fakeContext({ taskName: 'Tuning', render: renderTemplate, ...opts });
}

/** Fake facts plus what the tuning modules read through their own queries: NICs with their IRQs
 *  (_tuning/irqs.ts), whether irqbalance runs, and block devices with their schedulers. */
export interface TuningFacts extends FakeFactsData {
  nics?: { name: string; irqs: number[] }[];
  irqbalanceActive?: boolean;
  blockDevices?: { name: string; schedulers: string[]; current: string }[];
}

/** The scheduler file of a fake block device: "mq-deadline [none]". */
const schedulerFiles = (devices: TuningFacts['blockDevices'] = []) =>
  Object.fromEntries(
    devices
      .filter((d) => d.schedulers.length > 0)
      .map((d) => [`/sys/block/${d.name}/queue/scheduler`, d.schedulers.map((s) => (s === d.current ? `[${s}]` : s)).join(' ') + '\n']),
  );

/**
 * Facts as the host would answer the module's queries: the sysfs globs (_tuning/sysfs-values.ts)
 * from the fake files, and the IRQ query (_tuning/irqs.ts) from the fake NICs.
 */
export function factsFor<A>(mod: Module<A>, args: A, data: TuningFacts) {
  const { nics = [], irqbalanceActive = false, blockDevices, ...rest } = data;
  const files = { ...schedulerFiles(blockDevices), ...rest.files };
  const cmds = { ...rest.cmds };
  for (const q of mod.needs(args, tuningContext())) {
    if (q.kind === 'cmd' && q.argv.join(' ') === irqFactsQuery().argv.join(' ')) {
      const affinity = Object.entries(files).filter(([path]) => /^\/proc\/irq\/\d+\/smp_affinity_list$/.test(path));
      const lines = [
        ...nics.map((n) => `nic ${n.name}`),
        ...nics.flatMap((n) => n.irqs.map((irq, i) => `irq ${irq} PCI-MSI ${irq}-edge ${n.name}-rx-${i}`)),
        ...affinity.map(([path, value]) => `aff ${path} ${value.split('\n')[0]}`),
        ...(irqbalanceActive ? ['irqbalance'] : []),
      ];
      cmds[q.argv.join(' ')] = { rc: 0, stdout: lines.map((l) => l + '\n').join(''), stderr: '' };
    }
  }
  return fakeFacts({ ...rest, files, cmds });
}

export function planWith<A>(mod: Module<A>, data: TuningFacts, rawArgs: Record<string, unknown>, opts: Partial<PlanContext> = {}) {
  const ctx = tuningContext(opts);
  const args = withDefaults<A>(mod.schema as JSONSchema, rawArgs);
  const changes = mod.diff(factsFor(mod, args, data), args, ctx);
  return { changes, warnings: ctx.warnings, errors: ctx.errors, args, ctx };
}

const unquote = (w: string) => (w.startsWith("'") ? w.slice(1, -1).replace(/'\\''/g, "'") : w);

/** Move the [bracket] of a sysfs choice file ("always [madvise] never") to `value`. */
function choose(text: string, value: string): string {
  return (
    text
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^\[|\]$/g, ''))
      .map((w) => (w === value ? `[${w}]` : w))
      .join(' ') + '\n'
  );
}

function liveWrite(d: TuningFacts, path: string, value: string): void {
  if (path.startsWith('/proc/sys/')) {
    d.sysctl = { ...d.sysctl, [path.slice('/proc/sys/'.length).replace(/\//g, '.')]: value };
    return;
  }
  const sched = /^\/sys\/block\/([^/]+)\/queue\/scheduler$/.exec(path);
  if (sched && d.blockDevices) {
    d.blockDevices = d.blockDevices.map((b) => (b.name === sched[1] ? { ...b, current: value } : b));
    return;
  }
  const before = d.files?.[path];
  d.files = { ...d.files, [path]: before?.includes('[') ? choose(before, value) : `${value}\n` };
}

/** The fake facts after the changes' ops ran (file ops, our own live writes, swapoff). */
export function applyChanges(data: TuningFacts, changes: Change[]): TuningFacts {
  const d: TuningFacts = structuredClone(data);
  d.files ??= {};
  d.stats ??= {};
  for (const op of changes.flatMap((c) => c.ops)) {
    if (op.kind === 'put') {
      d.files[op.path] = op.content;
      d.stats[op.path] = {
        type: 'file',
        mode: op.mode ?? '0644',
        owner: op.owner ?? 'root',
        group: op.group ?? 'root',
        size: op.content.length,
      };
    } else if (op.kind === 'remove') {
      delete d.files[op.path];
      delete d.stats[op.path];
    } else if (op.kind === 'symlink') {
      d.stats[op.path] = { type: 'link', mode: '0777', owner: 'root', group: 'root', size: 0, target: op.target };
    } else if (op.kind === 'exec' && op.argv[0] === 'swapoff') {
      d.files['/proc/swaps'] = 'Filename\tType\tSize\tUsed\tPriority\n';
    } else if (op.kind === 'exec' && op.argv[0] === 'sh') {
      for (const cmd of op.argv[2].split('; ')) {
        const m = /^printf '%s\\n' (\S+) > (\S+)$/.exec(cmd);
        if (m) liveWrite(d, unquote(m[2]), unquote(m[1]));
        else if (cmd !== 'set -e') throw new Error(`unexpected live command: ${cmd}`);
      }
    } else {
      throw new Error(`op not modelled in tests: ${JSON.stringify(op)}`);
    }
  }
  return d;
}
