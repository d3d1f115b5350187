// Running a switch: systemd-nspawn with systemd as PID 1, under a small supervisor
// shell that boots it again when the switch reboots itself.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { run, sleep, type RunResult } from './exec.js';
import { createSwitchCgroups, leaderPid, switchProcesses } from './cgroups.js';
import { switchDir } from './state.js';

/**
 * The trimmed boot. Each masked unit would hold inotify instances, which are limited per
 * uid and every switch runs as host root: a stock switch holds about 7, a trimmed one 3.
 */
export const BOOT_ARGS = [
  'systemd.mask=systemd-logind.service',
  'systemd.mask=getty.target',
  'systemd.mask=console-getty.service',
  'systemd.mask=systemd-ask-password-console.path',
  'systemd.mask=systemd-ask-password-wall.path',
  'systemd.show_status=false',
];

/** nspawn's arguments for one switch (after the program name). */
export function nspawnArgs(root: string, hostname: string, netns: string): string[] {
  return [
    `--directory=${root}`,
    `--machine=${hostname}`,
    `--hostname=${hostname}`,
    '--register=no',
    '--keep-unit',
    // Both: the namespace we prepared, and --private-network so that /proc/sys/net is
    // writable inside (the per-namespace sysctls are real knobs).
    '--private-network',
    `--network-namespace-path=/run/netns/${netns}`,
    '--resolv-conf=off',
    '--timezone=off',
    '--link-journal=no',
    '--console=read-only',
    '--boot',
    '--',
    ...BOOT_ARGS,
  ];
}

/**
 * Joins the switch's cgroups, then runs nspawn; exit code 133 means the switch rebooted,
 * so it is booted again. SIGTERM powers the switch off cleanly and ends the loop.
 */
const SUPERVISOR = `
for cg in $PORTSYNC_LAB_CGROUPS; do echo $$ > "$cg/cgroup.procs"; done
stop= child= rc=0
trap 'stop=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
while [ -z "$stop" ]; do
  systemd-nspawn "$@" & child=$!
  [ -n "$stop" ] && kill -TERM "$child" 2>/dev/null
  wait "$child"; rc=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
  [ "$rc" -eq 133 ] || break
done
exit "$rc"
`;

/** Starts the switch's supervisor in the background; returns its PID. */
export async function startSwitch(lab: string, switchName: string, args: string[]): Promise<number> {
  const cgroups = await createSwitchCgroups(lab, switchName);
  const log = openSync(path.join(switchDir(lab, switchName), 'console.log'), 'a');
  try {
    const child = spawn('/bin/sh', ['-c', SUPERVISOR, `portsync-lab-${lab}-${switchName}`, ...args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
        // Legacy cgroup layout inside the switch: fewer inotify watchers in its systemd.
        SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '0',
        PORTSYNC_LAB_CGROUPS: cgroups.join(' '),
      },
    });
    child.unref();
    if (!child.pid) throw new Error(`could not start switch ${switchName}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export type ContainerState = 'running' | 'starting' | 'stopped';

/** A PID counts as the switch's supervisor only while it sits in the switch's own cgroup. */
export function supervisorAlive(lab: string, switchName: string, pid: number | undefined): boolean {
  return pid !== undefined && switchProcesses(lab, switchName).includes(pid);
}

export function containerState(lab: string, switchName: string, pid: number | undefined): ContainerState {
  if (!supervisorAlive(lab, switchName, pid)) return 'stopped';
  return leaderPid(lab, switchName) ? 'running' : 'starting';
}

/**
 * Powers the switch off (SIGTERM to its supervisor), then kills whatever is left in its
 * cgroups after the grace period. Only processes in the switch's own cgroups are touched.
 */
export async function stopSwitch(lab: string, switchName: string, pid: number | undefined, graceMs = 10_000): Promise<void> {
  if (supervisorAlive(lab, switchName, pid)) process.kill(pid!, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (switchProcesses(lab, switchName).length && Date.now() < deadline) await sleep(100);
  for (let attempt = 0; switchProcesses(lab, switchName).length; attempt++) {
    if (attempt === 50) throw new Error(`processes of switch ${switchName} do not exit: ${switchProcesses(lab, switchName).join(' ')}`);
    for (const p of switchProcesses(lab, switchName)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(100);
  }
}

const SWITCH_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8'];

/** nsenter argv that runs argv inside the running switch as its root, or undefined when it is down. */
export function switchCommand(lab: string, switchName: string, argv: string[]): string[] | undefined {
  const leader = leaderPid(lab, switchName);
  if (!leader) return undefined;
  const term = process.env.TERM ? [`TERM=${process.env.TERM}`] : [];
  return [
    'nsenter',
    '-t',
    String(leader),
    '-m',
    '-u',
    '-i',
    '-n',
    '-p',
    '-C',
    '-r',
    '-w',
    '--',
    '/usr/bin/env',
    '-i',
    ...SWITCH_ENV,
    ...term,
    ...argv,
  ];
}

export async function execInSwitch(
  lab: string,
  switchName: string,
  argv: string[],
  input?: string,
  timeoutMs = 60_000,
): Promise<RunResult> {
  const cmd = switchCommand(lab, switchName, argv);
  if (!cmd) throw new Error(`switch ${switchName} of lab ${lab} is not running`);
  return run(cmd, { input, timeoutMs });
}
