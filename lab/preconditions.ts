// What the lab needs from the host, checked before it changes anything.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Commands the lab runs, and the Debian package that provides each. */
export const REQUIRED_COMMANDS: Record<string, string> = {
  'systemd-nspawn': 'systemd-container',
  debootstrap: 'debootstrap',
  ip: 'iproute2',
  'ssh-keygen': 'openssh-client',
};

/** The base packages are always named, so the line can be pasted on a fresh machine. */
const BASE_PACKAGES = ['systemd-container', 'debootstrap', 'iproute2'];

export interface HostProbe {
  isRoot: boolean;
  hasCommand(cmd: string): boolean;
}

/** Problems, or [] when the lab can run. The last line of a non-empty answer is the fix. */
export function checkPreconditions(probe: HostProbe): string[] {
  const lines: string[] = [];
  if (!probe.isRoot) lines.push('the lab must run as root (it creates network namespaces, cgroups and containers)');
  const missing = Object.keys(REQUIRED_COMMANDS).filter((cmd) => !probe.hasCommand(cmd));
  for (const cmd of missing) lines.push(`command not found: ${cmd} (Debian package ${REQUIRED_COMMANDS[cmd]})`);
  if (missing.length) {
    const packages = [...new Set([...BASE_PACKAGES, ...missing.map((cmd) => REQUIRED_COMMANDS[cmd])])];
    lines.push(`fix: apt-get install -y ${packages.join(' ')}`);
  }
  return lines;
}

export function hostProbe(): HostProbe {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return {
    isRoot: process.getuid?.() === 0,
    hasCommand(cmd) {
      return dirs.some((dir) => {
        try {
          accessSync(path.join(dir, cmd), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
    },
  };
}

/** Thrown before the lab changes anything when the host lacks root or a tool. */
export class HostNotReadyError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'HostNotReadyError';
  }
}

export function assertPreconditions(probe: HostProbe = hostProbe()): void {
  const lines = checkPreconditions(probe);
  if (lines.length) throw new HostNotReadyError(lines);
}
