// The command lines the benchmark times, one per tool and scenario, and what it reads back
// from their output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../lab/paths.js';
import { measure, type Measured } from './measure.js';
import { PHASES, type Phase, type PhaseTimings } from '../../src/timings.js';

export type Scenario = 'cold' | 'nochange' | 'check';
/** portsync-deploy runs the Ansible playbook itself; -native runs the same tuning written with its own modules. */
export type Tool = 'portsync-deploy' | 'portsync-deploy-native' | 'ansible';

export interface ToolRun extends Measured {
  /** The exit code that scenario should end with (check mode with pending changes: 2). */
  expectedExit: number;
  /** portsync-deploy only: SSH round trips per host, from its `host_stats` JSON events. */
  roundTripsPerHost?: { min: number; max: number; median: number };
  /** portsync-deploy only: milliseconds per phase, from the recap's timings (phaseSplit). */
  phases?: PhaseSplit;
}

/** Milliseconds per phase: each phase's last end minus the previous phase's, so they add up to
 *  the run's time inside the process; `report` is the time spent writing output, in all. */
export type PhaseSplit = Partial<Record<Phase, number>>;

export interface Target {
  hostsFile: string;
  hosts: number;
}

const CLI = path.join(projectRoot, 'bin', 'portsync-deploy.js');
const ANSIBLE_DIR = path.join(projectRoot, 'bench', 'ansible');

export interface PortsyncPlaybook {
  file: string;
  extraVars?: string;
}

/** The fleet tuning as an Ansible playbook: both tools run this file. */
export const FLEET_PLAYBOOK: PortsyncPlaybook = { file: path.join(ANSIBLE_DIR, 'fleet.yaml') };
/** The same tuning with portsync-deploy's own modules, a second row for portsync-deploy. */
export const NATIVE_PLAYBOOK: PortsyncPlaybook = { file: path.join(projectRoot, 'bench', 'fleet', 'playbook.yaml') };
export const SITE_PLAYBOOK: PortsyncPlaybook = {
  file: path.join(projectRoot, 'playbooks', 'site.yaml'),
  extraVars: `@${path.join(projectRoot, 'bench', 'fleet', 'site-vars.yaml')}`,
};

export function portsyncArgv(pb: PortsyncPlaybook, scenario: Scenario, target: Target): string[] {
  const argv = [process.execPath, CLI, pb.file, '-i', path.dirname(target.hostsFile), '--forks', String(target.hosts), '--json'];
  if (pb.extraVars) argv.push('-e', pb.extraVars);
  if (scenario === 'check') argv.push('--check', '--diff');
  return argv;
}

export async function runPortsync(pb: PortsyncPlaybook, scenario: Scenario, target: Target): Promise<ToolRun> {
  const m = await measure(portsyncArgv(pb, scenario, target), { cwd: projectRoot });
  return { ...m, expectedExit: scenario === 'check' ? 2 : 0, roundTripsPerHost: roundTrips(m.stdout), phases: phaseSplit(m.stdout) };
}

/** The per-phase split of a run, from the `timings` of its `--json` recap (src/timings.ts). Hosts
 *  overlap, so a phase is taken as the time from the previous phase's last end to its own. */
export function phaseSplit(jsonLines: string): PhaseSplit | undefined {
  const line = jsonLines
    .split('\n')
    .filter((l) => l.includes('"recap"'))
    .at(-1);
  const timings = line ? (JSON.parse(line) as { timings?: PhaseTimings }).timings : undefined;
  if (!timings) return undefined;
  const out: PhaseSplit = {};
  let at = 0;
  for (const p of PHASES) {
    const span = timings[p];
    if (!span) continue;
    if (p === 'report') out.report = span.to;
    else {
      out[p] = Math.max(0, span.to - at);
      at = Math.max(at, span.to);
    }
  }
  return out;
}

/** Round trips per host over the whole run. A host keeps one connection for the run and its
 *  `host_stats` event (one per play) carries the count so far, so the last one is the total. */
export function roundTrips(jsonLines: string): ToolRun['roundTripsPerHost'] {
  const perHost = new Map<string, number>();
  for (const line of jsonLines.split('\n')) {
    if (!line.includes('"host_stats"')) continue;
    const e = JSON.parse(line) as { host: string; roundTrips: number };
    perHost.set(e.host, e.roundTrips);
  }
  const counts = [...perHost.values()].sort((a, b) => a - b);
  if (!counts.length) return undefined;
  return { min: counts[0], max: counts.at(-1)!, median: counts[Math.floor(counts.length / 2)] };
}

const FLOOR = path.join(projectRoot, 'dist', 'bench', 'fleet', 'floor.js');

/** The SSH floor (floor.ts): connect, one command, close, on every switch at once. */
export async function runFloor(target: Target): Promise<Measured> {
  return measure([process.execPath, FLOOR, path.dirname(target.hostsFile)], { cwd: projectRoot });
}

export function ansibleArgv(scenario: Scenario, target: Target): string[] {
  const argv = ['ansible-playbook', '-i', target.hostsFile, '--forks', String(target.hosts), FLEET_PLAYBOOK.file];
  if (scenario === 'check') argv.push('--check', '--diff');
  return argv;
}

/**
 * Each Ansible run gets its own ControlMaster folder, so a run never reuses the connections of
 * the run before (portsync-deploy reconnects on every run too). The masters it leaves behind
 * (ControlPersist) are closed after the run, outside the timing.
 */
export async function runAnsible(scenario: Scenario, target: Target): Promise<ToolRun> {
  const controlDir = mkdtempSync(path.join(tmpdir(), 'fleet-bench-cp-'));
  try {
    const env = {
      ...process.env,
      ANSIBLE_CONFIG: path.join(ANSIBLE_DIR, 'ansible.cfg'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
      ANSIBLE_NOCOLOR: '1',
    };
    const m = await measure(ansibleArgv(scenario, target), { env, cwd: projectRoot });
    return { ...m, expectedExit: 0 };
  } finally {
    closeControlMasters(controlDir);
    rmSync(controlDir, { recursive: true, force: true });
  }
}

function closeControlMasters(dir: string): void {
  for (const socket of readdirSync(dir)) {
    spawnSync('ssh', ['-o', `ControlPath=${path.join(dir, socket)}`, '-O', 'exit', 'control-master'], { stdio: 'ignore' });
  }
}
