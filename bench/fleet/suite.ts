// The fleet benchmark: for each lab size, each playbook, tool and scenario, R timed runs with
// the switches reset (untimed) before every cold apply and every check. Tools alternate which
// goes first from one run to the next, so that a burst of load from other work
// on this shared machine does not always land on the same tool.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { labUp } from '../../lab/lab.js';
import { labCpuSeconds } from '../../lab/cgroups.js';
import { cpuBetween, machineCpu, type MachineCpu } from './machine-cpu.js';
import { settle } from './settle.js';
import { FLEET_FOOTPRINT, readPristine, resetSwitches, SITE_FOOTPRINT, type Footprint, type Pristine } from './reset.js';
import { median } from './stats.js';
import { round } from './measure.js';
import {
  FLEET_PLAYBOOK,
  NATIVE_PLAYBOOK,
  runAnsible,
  runFloor,
  runPortsync,
  SITE_PLAYBOOK,
  type Scenario,
  type Target,
  type Tool,
  type PhaseSplit,
  type ToolRun,
} from './tools.js';
import { PHASES } from '../../src/timings.js';

export type Suite = 'fleet' | 'site';
export const SCENARIOS: Scenario[] = ['cold', 'nochange', 'check'];

export interface RunRecord {
  seconds: number;
  exitCode: number;
  expectedExit: number;
  cpuSeconds: number;
  /** CPU the lab's switches used during the run (their sshd, shells and commands, systemd). */
  labCpuSeconds?: number;
  /** The machine's cores idle during the run, in core-seconds: near 0, the run was CPU-bound. */
  idleCoreSeconds?: number;
  /** The machine's CPU beyond the tool's and the switches' during the run (the benchmark, the
   *  kernel's uncharged work, other processes). */
  otherCpuSeconds?: number;
  maxRssMb: number;
  treePssPeakMb: number;
  roundTripsPerHost?: ToolRun['roundTripsPerHost'];
  phases?: PhaseSplit;
  /** 1-minute load average just before the run. */
  loadavg1: number;
  /** Seconds waited before the run for the lab's switches to go quiet (./settle.ts). */
  settledSeconds?: number;
  /** Tail of the output when the exit code was not the expected one. */
  outputTail?: string;
}

export interface Cell {
  suite: Suite;
  tool: Tool;
  scenario: Scenario;
  hosts: number;
  runs: RunRecord[];
  median: {
    seconds: number;
    cpuSeconds: number;
    labCpuSeconds?: number;
    idleCoreSeconds?: number;
    otherCpuSeconds?: number;
    maxRssMb: number;
    treePssPeakMb: number;
    roundTripsPerHost?: number;
    phases?: PhaseSplit;
  };
  /** Runs whose exit code was not the expected one (their times are still listed). */
  unexpectedExits: number;
}

export interface SuitePlan {
  suite: Suite;
  sizes: number[];
  tools: Tool[];
  /** The scenarios timed; a no-change run is always preceded by a cold apply, timed or not. */
  scenarios: Scenario[];
}

export interface FleetOptions {
  lab: string;
  runs: number;
  plans: SuitePlan[];
  log: (line: string) => void;
}

export interface FloorRecord {
  hosts: number;
  /** Seconds of each run: connect + one command + close on every switch at once. */
  runs: number[];
  median: number;
  /** Median CPU seconds the lab's switches used per floor run. */
  labCpuSeconds?: number;
  /** Median CPU seconds (user + sys) of the floor's own process per run. */
  controlCpuSeconds?: number;
  /** Median core-seconds the machine stayed idle per floor run. */
  idleCoreSeconds?: number;
}

export interface FleetResult {
  cells: Cell[];
  /** The SSH floor per lab size, measured beside the tools in the same run. */
  floor?: FloorRecord[];
  labUpSeconds: Record<number, number>;
  resetSeconds: number[];
  skippedSizes: { size: number; reason: string }[];
}

const FOOTPRINTS: Record<Suite, Footprint> = { fleet: FLEET_FOOTPRINT, site: SITE_FOOTPRINT };

/** Lab memory per switch (PSS plus tmpfs, measured), times two for headroom, plus 2 GB for the tools. */
function memoryAllows(size: number): boolean {
  const availKb = Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return availKb / 1024 > size * 16 * 2 + 2048;
}

interface CpuMeanwhile {
  /** The lab's switches' CPU seconds (undefined without cgroup v2). */
  lab?: number;
  /** The whole machine's (undefined without /proc/stat). */
  machine?: MachineCpu;
}

/** What `run` returns, with the CPU the lab's switches and the whole machine used meanwhile. */
async function withCpu<T>(lab: string, run: () => Promise<T>): Promise<[T, CpuMeanwhile]> {
  const labBefore = labCpuSeconds(lab);
  const machineBefore = machineCpu();
  const r = await run();
  const machineAfter = machineCpu();
  const labAfter = labCpuSeconds(lab);
  return [
    r,
    {
      ...(labBefore === undefined || labAfter === undefined ? {} : { lab: round(labAfter - labBefore, 3) }),
      ...(machineBefore && machineAfter ? { machine: cpuBetween(machineBefore, machineAfter) } : {}),
    },
  ];
}

/** Idle and other CPU of a run that used `ownCpu` seconds itself (tool and switches). */
function machineShares(cpu: CpuMeanwhile, ownCpu: number): Pick<RunRecord, 'idleCoreSeconds' | 'otherCpuSeconds'> {
  if (!cpu.machine || cpu.lab === undefined) return {};
  return { idleCoreSeconds: round(cpu.machine.idle, 2), otherCpuSeconds: round(cpu.machine.busy - ownCpu - cpu.lab, 2) };
}

async function timed(suite: Suite, tool: Tool, scenario: Scenario, target: Target, lab: string): Promise<RunRecord> {
  const settledSeconds = round(await settle(() => labCpuSeconds(lab), target.hosts));
  const loadavg1 = round(loadavg()[0]);
  const playbook = suite === 'site' ? SITE_PLAYBOOK : tool === 'portsync-deploy-native' ? NATIVE_PLAYBOOK : FLEET_PLAYBOOK;
  const [r, cpu] = await withCpu(lab, () => (tool === 'ansible' ? runAnsible(scenario, target) : runPortsync(playbook, scenario, target)));
  const rec: RunRecord = {
    seconds: r.seconds,
    exitCode: r.exitCode,
    expectedExit: r.expectedExit,
    cpuSeconds: r.cpuSeconds,
    ...(cpu.lab === undefined ? {} : { labCpuSeconds: cpu.lab }),
    ...machineShares(cpu, r.cpuSeconds),
    maxRssMb: r.maxRssMb,
    treePssPeakMb: r.treePssPeakMb,
    loadavg1,
    settledSeconds,
  };
  if (r.roundTripsPerHost) rec.roundTripsPerHost = r.roundTripsPerHost;
  if (r.phases) rec.phases = r.phases;
  if (r.exitCode !== r.expectedExit) rec.outputTail = (r.stdout + r.stderr).slice(-2000);
  return rec;
}

function summarise(suite: Suite, tool: Tool, scenario: Scenario, hosts: number, runs: RunRecord[]): Cell {
  const med = (f: (r: RunRecord) => number) => round(median(runs.map(f)));
  const present = (f: (r: RunRecord) => number | undefined) => runs.map(f).filter((v): v is number => v !== undefined);
  const labCpu = present((r) => r.labCpuSeconds);
  const idle = present((r) => r.idleCoreSeconds);
  const other = present((r) => r.otherCpuSeconds);
  const rt = runs.filter((r) => r.roundTripsPerHost).map((r) => r.roundTripsPerHost!.median);
  const split = runs.flatMap((r) => (r.phases ? [r.phases] : []));
  const phases = Object.fromEntries(
    PHASES.flatMap((p) => {
      const v = split.flatMap((s) => (s[p] === undefined ? [] : [s[p]!]));
      return v.length ? [[p, Math.round(median(v))]] : [];
    }),
  );
  return {
    suite,
    tool,
    scenario,
    hosts,
    runs,
    median: {
      seconds: med((r) => r.seconds),
      cpuSeconds: med((r) => r.cpuSeconds),
      ...(labCpu.length ? { labCpuSeconds: round(median(labCpu), 3) } : {}),
      ...(idle.length ? { idleCoreSeconds: round(median(idle)), otherCpuSeconds: round(median(other)) } : {}),
      maxRssMb: med((r) => r.maxRssMb),
      treePssPeakMb: med((r) => r.treePssPeakMb),
      ...(rt.length ? { roundTripsPerHost: median(rt) } : {}),
      ...(split.length ? { phases } : {}),
    },
    unexpectedExits: runs.filter((r) => r.exitCode !== r.expectedExit).length,
  };
}

export const emptyFleetResult = (): FleetResult => ({ cells: [], floor: [], labUpSeconds: {}, resetSeconds: [], skippedSizes: [] });

async function measureFloor(target: Target, lab: string, runs: number, log: (line: string) => void): Promise<FloorRecord> {
  const seconds: number[] = [];
  const labCpu: number[] = [];
  const controlCpu: number[] = [];
  const idle: number[] = [];
  for (let i = 0; i < runs; i++) {
    await settle(() => labCpuSeconds(lab), target.hosts);
    const [m, meanwhile] = await withCpu(lab, () => runFloor(target));
    const cpu = meanwhile.lab;
    const shares = machineShares(meanwhile, m.cpuSeconds);
    if (shares.idleCoreSeconds !== undefined) idle.push(shares.idleCoreSeconds);
    if (m.exitCode !== 0) throw new Error(`the SSH floor failed on ${target.hosts} switches: ${(m.stdout + m.stderr).slice(-500)}`);
    seconds.push(m.seconds);
    controlCpu.push(m.cpuSeconds);
    if (cpu !== undefined) labCpu.push(cpu);
    log(`  floor ${target.hosts}: ${m.seconds} s, CPU ${m.cpuSeconds} s${cpu === undefined ? '' : `, switches' CPU ${cpu} s`}`);
  }
  const floor: FloorRecord = {
    hosts: target.hosts,
    runs: seconds,
    median: round(median(seconds)),
    controlCpuSeconds: round(median(controlCpu), 2),
    ...(idle.length ? { idleCoreSeconds: round(median(idle)) } : {}),
  };
  return labCpu.length ? { ...floor, labCpuSeconds: round(median(labCpu), 3) } : floor;
}

/** Fills `result` as cells complete, so that an interrupted run still has what it measured. */
export async function runFleet(opts: FleetOptions, result: FleetResult): Promise<void> {
  const sizes = [...new Set(opts.plans.flatMap((p) => p.sizes))].sort((a, b) => a - b);
  let pristine: Pristine | undefined;
  for (const size of sizes) {
    if (!memoryAllows(size)) {
      result.skippedSizes.push({ size, reason: `not enough free memory for ${size} switches` });
      opts.log(`skipping ${size} switches: not enough free memory`);
      continue;
    }
    opts.log(`lab ${opts.lab}: ${size} switches`);
    const t0 = performance.now();
    const lab = await labUp({ name: opts.lab, switches: size, waitFor: 'healthy' });
    result.labUpSeconds[size] = round((performance.now() - t0) / 1000);
    const switches = lab.switches.map((s) => s.name);
    const fresh = (pristine ??= await readPristine(opts.lab, switches[0], Object.values(FOOTPRINTS)));
    const target: Target = { hostsFile: lab.inventory.hostsFile, hosts: size };
    (result.floor ??= []).push(await measureFloor(target, opts.lab, opts.runs, opts.log));

    for (const plan of opts.plans.filter((p) => p.sizes.includes(size))) {
      const footprint = FOOTPRINTS[plan.suite];
      const runs = new Map<string, RunRecord[]>();
      const add = (tool: Tool, scenario: Scenario, rec: RunRecord) => {
        const key = `${tool}/${scenario}`;
        runs.set(key, [...(runs.get(key) ?? []), rec]);
        const rt = rec.roundTripsPerHost ? `, ${rec.roundTripsPerHost.median} round trips/host` : '';
        const cpu = rec.labCpuSeconds === undefined ? '' : `, switches' CPU ${rec.labCpuSeconds} s`;
        const bad = rec.exitCode !== rec.expectedExit ? ` (exit ${rec.exitCode}, expected ${rec.expectedExit})` : '';
        opts.log(`  ${plan.suite} ${size} ${tool} ${scenario}: ${rec.seconds} s${rt}${cpu}${bad}`);
      };
      const wanted = (sc: Scenario) => plan.scenarios.includes(sc);
      const reset = async () => result.resetSeconds.push(round(await resetSwitches(opts.lab, switches, footprint, fresh)));
      // An untimed cold apply is made once per tool: its no-change runs then follow one another.
      if (wanted('nochange') && !wanted('cold')) {
        for (const tool of plan.tools) {
          await reset();
          await timed(plan.suite, tool, 'cold', target, opts.lab);
          for (let i = 0; i < opts.runs; i++) add(tool, 'nochange', await timed(plan.suite, tool, 'nochange', target, opts.lab));
        }
      }
      for (let i = 0; i < opts.runs; i++) {
        const order = i % 2 === 0 ? plan.tools : [...plan.tools].reverse();
        for (const tool of order) {
          if (wanted('cold')) {
            await reset();
            add(tool, 'cold', await timed(plan.suite, tool, 'cold', target, opts.lab));
            if (wanted('nochange')) add(tool, 'nochange', await timed(plan.suite, tool, 'nochange', target, opts.lab));
          }
          if (wanted('check')) {
            await reset();
            add(tool, 'check', await timed(plan.suite, tool, 'check', target, opts.lab));
          }
        }
      }
      for (const tool of plan.tools) {
        for (const scenario of plan.scenarios)
          result.cells.push(summarise(plan.suite, tool, scenario, size, runs.get(`${tool}/${scenario}`)!));
      }
      await resetSwitches(opts.lab, switches, footprint, pristine);
    }
  }
}
