// One command for every benchmark: the fleet comparison with Ansible, the site playbook, and
// the daemon benchmark (bench/daemon/run.ts, run as its own process). Writes
// bench/results/<date>-<name>.{json,md} and SVG charts, and in full mode the latest table in
// bench/README.md. Brings up the lab it needs and always removes it, also on Ctrl-C.
//   npm run bench          full: 10, 50 and 100 switches, 3 runs per cell, 10-minute daemon soak
//   npm run bench:quick    fleet at 10 switches, 1 run per cell, no site playbook, short daemon run
// Flags: --quick, --runs N, --fleet-sizes 10,50,100, --site-sizes 8,50, --daemon-soak-seconds S,
//        --scenarios cold,nochange,check, --tools portsync-deploy,ansible, --skip-fleet, --skip-daemon, --lab NAME;
//        --report FILES [--daemon-result FILE]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { labDown } from '../lab/lab.js';
import { projectRoot } from '../lab/paths.js';
import { round, stopRunning } from './fleet/measure.js';
import { emptyFleetResult, runFleet, SCENARIOS, type SuitePlan } from './fleet/suite.js';
import { ansibleArgv, portsyncArgv, FLEET_PLAYBOOK, NATIVE_PLAYBOOK, SITE_PLAYBOOK, type Scenario, type Tool } from './fleet/tools.js';
import { latestDaemonResult, summariseDaemon } from './report/daemon.js';
import { mergeResults } from './report/merge.js';
import { writeOutputs } from './report/write.js';
import type { BenchResults } from './report/types.js';

const { values: flags, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'fleet-sizes': { type: 'string' },
    'site-sizes': { type: 'string' },
    'daemon-soak-seconds': { type: 'string' },
    scenarios: { type: 'string' },
    tools: { type: 'string', default: 'portsync-deploy,ansible,portsync-deploy-native' },
    'skip-fleet': { type: 'boolean', default: false },
    'skip-daemon': { type: 'boolean', default: false },
    lab: { type: 'string', default: 'fleet' },
    name: { type: 'string' },
    report: { type: 'boolean', default: false },
    'daemon-result': { type: 'string' },
  },
  allowPositionals: true,
});
const quick = flags.quick!;
const sizes = (v: string | undefined, dflt: number[]) => (v === undefined ? dflt : v.split(',').filter(Boolean).map(Number));
const runs = Number(flags.runs ?? (quick ? 1 : 3));
const fleetSizes = flags['skip-fleet'] ? [] : sizes(flags['fleet-sizes'], quick ? [10] : [10, 50, 100]);
const siteSizes = flags['skip-fleet'] ? [] : sizes(flags['site-sizes'], quick ? [] : [8, 50]);
const scenarios = (flags.scenarios?.split(',').filter(Boolean) ?? SCENARIOS) as Scenario[];
for (const sc of scenarios) if (!SCENARIOS.includes(sc)) throw new Error(`unknown scenario ${sc}: use ${SCENARIOS.join(', ')}`);
const TOOLS: Tool[] = ['portsync-deploy', 'ansible', 'portsync-deploy-native'];
const fleetTools = flags.tools!.split(',').filter(Boolean) as Tool[];
for (const t of fleetTools) if (!TOOLS.includes(t)) throw new Error(`unknown tool ${t}: use ${TOOLS.join(', ')}`);
const soakSeconds = Number(flags['daemon-soak-seconds'] ?? (quick ? 20 : 600));
const lab = flags.lab!;
const resultsDir = path.join(projectRoot, 'bench', 'results');
const log = (line: string) => console.log(line);

// --- Interruption: stop what runs, remove the lab, write what was measured, exit with the
// signal's code.
let daemonChild: ReturnType<typeof spawn> | undefined;
let current: BenchResults | undefined;
let stopping = false;
let labUsed = false;
let tearDown: Promise<void> | undefined;
function cleanup(): Promise<void> {
  tearDown ??= (async () => {
    if (labUsed) {
      for (const line of await labDown(lab)) log(line);
    }
  })();
  return tearDown;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping, removing lab ${lab}`);
    stopping = true;
    stopRunning(signal);
    daemonChild?.kill(signal);
    cleanup()
      .catch((err) => log(`lab down failed: ${(err as Error).message}`))
      .finally(() => {
        if (current) {
          current.interrupted = `${signal}: the results hold the cells completed before it`;
          finish(current);
        }
        process.exit(code);
      });
  });
}

function ansibleVersion(): string {
  try {
    return execFileSync('ansible', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return 'ansible not found';
  }
}

/** The daemon benchmark's flags: quick mode shortens its rate sweep and soak. */
function daemonArgs(): string[] {
  return ['--soak-seconds', String(soakSeconds), '--runs', String(runs), '--sweep-seconds', quick ? '3' : '10'];
}

async function runDaemonBench(results: BenchResults): Promise<void> {
  const script = path.join(projectRoot, 'dist', 'bench', 'daemon', 'run.js');
  const args = daemonArgs();
  const notes: string[] = [];
  const command = `node dist/bench/daemon/run.js ${args.join(' ')}`.trim();
  log(`daemon: ${command}`);
  const before = latestDaemonResult(resultsDir);
  const loadavgStart = loadavg().map((v) => round(v));
  const t0 = performance.now();
  const exitCode = await new Promise<number>((resolve) => {
    daemonChild = spawn(process.execPath, [script, ...args], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    daemonChild.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    daemonChild.on('error', () => resolve(127));
  });
  daemonChild = undefined;
  const after = latestDaemonResult(resultsDir);
  if (exitCode !== 0) results.errors.push(`daemon benchmark exited ${exitCode}`);
  if (after && after !== before) {
    notes.unshift('Figures from the daemon benchmark run by this command.');
  } else if (after) {
    notes.unshift(`The daemon benchmark wrote no new result; figures from the newest earlier one (${path.basename(after)}).`);
  }
  results.daemon = {
    command,
    exitCode,
    seconds: round((performance.now() - t0) / 1000, 1),
    loadavgStart,
    summary: after ? summariseDaemon(after) : undefined,
    notes,
  };
}

const SHOWN_TARGET = { hostsFile: '<lab inventory>/hosts.yaml', hosts: 0 };
/** A command line as the summary shows it: repo-relative paths, N for the fork count. */
const shown = (argv: string[]) => argv.join(' ').replaceAll(projectRoot, '').replace('--forks 0', '--forks N');

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const results: BenchResults = {
    name: flags.name ?? `${startedAt.slice(0, 10)}-fleet${quick ? '-quick' : ''}`,
    mode: quick ? 'quick' : 'full',
    startedAt,
    finishedAt: '',
    machine: {
      cpus: cpus().length,
      memTotalMb: Math.round(totalmem() / 2 ** 20),
      kernel: release(),
      node: process.version,
      ansible: ansibleVersion(),
    },
    loadavg: { start: loadavg().map((v) => round(v)), end: [] },
    settings: { runs, lab, fleetSizes, siteSizes, daemonArgs: [] },
    commands: {
      'portsync-deploy (fleet)': shown(portsyncArgv(FLEET_PLAYBOOK, 'cold', SHOWN_TARGET).slice(1)),
      'portsync-deploy (fleet, native playbook)': shown(portsyncArgv(NATIVE_PLAYBOOK, 'cold', SHOWN_TARGET).slice(1)),
      'portsync-deploy (site)': shown(portsyncArgv(SITE_PLAYBOOK, 'cold', SHOWN_TARGET).slice(1)),
      ansible: `ANSIBLE_CONFIG=bench/ansible/ansible.cfg ${shown(ansibleArgv('cold', SHOWN_TARGET))}`,
      'check mode': 'the same plus --check --diff',
      'this benchmark': `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    },
    errors: [],
  };
  current = results;
  try {
    const plans: SuitePlan[] = [];
    if (fleetSizes.length) plans.push({ suite: 'fleet', sizes: fleetSizes, tools: fleetTools, scenarios });
    if (siteSizes.length && fleetTools.includes('portsync-deploy'))
      plans.push({ suite: 'site', sizes: siteSizes, tools: ['portsync-deploy'], scenarios });
    if (plans.length) {
      // A lab left by an interrupted run may hold tuned switches: start from fresh ones.
      labUsed = true;
      await labDown(lab);
      results.fleet = emptyFleetResult();
      try {
        await runFleet({ lab, runs, plans, log }, results.fleet);
      } catch (err) {
        results.errors.push(`fleet benchmark: ${(err as Error).message}`);
        log(`fleet benchmark failed: ${(err as Error).stack}`);
      } finally {
        await cleanup();
      }
    }
    // After a signal, main only waits here for the handler to finish and exit.
    if (!flags['skip-daemon'] && !stopping) await runDaemonBench(results);
    results.settings.daemonArgs = results.daemon?.command.split(' ').slice(2) ?? [];
  } finally {
    current = undefined;
    finish(results);
  }
  return results.errors.length ? 1 : 0;
}

function finish(results: BenchResults): void {
  results.finishedAt = new Date().toISOString();
  results.loadavg.end = loadavg().map((v) => round(v));
  writeOutputs(results, resultsDir, path.join(projectRoot, 'bench', 'README.md'), log);
}

/** --report A.json [B.json…] [--daemon-result daemon-….json]: the outputs again from saved results, merged (see merge.ts). */
function report(): number {
  if (!positionals.length) throw new Error('--report needs one or more results JSON files');
  const merged = mergeResults(
    positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchResults),
    resultsDir,
    flags['daemon-result'],
  );
  writeOutputs(merged, resultsDir, path.join(projectRoot, 'bench', 'README.md'), log);
  return 0;
}

process.exitCode = flags.report ? report() : await main();
