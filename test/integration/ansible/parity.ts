// Runs Debian's ansible-playbook and portsync-deploy on the same playbook on this machine
// (ansible_connection=local), each writing under its own folder given as -e out=DIR.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../unit/inventory/fixture-path.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

export const haveAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;

export interface Ran {
  code: number | null;
  out: string;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Ran {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '', ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

export function ansible(args: string[], out: string, cwd: string, env: Record<string, string> = {}): Ran {
  return run('ansible-playbook', [...args, '-e', `out=${out}`, '-e', 'ansible_python_interpreter=/usr/bin/python3'], cwd, env);
}

export function portsync(args: string[], out: string, cwd: string, env: Record<string, string> = {}): Ran {
  return run(process.execPath, [BIN, ...args, '-e', `out=${out}`], cwd, env);
}

/** Every file of a folder: "MODE CONTENT". */
export function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, `${(statSync(join(dir, f)).mode & 0o7777).toString(8)} ${readFileSync(join(dir, f), 'utf8')}`]),
  );
}

/** The recap of a --json run. */
export function recap(ran: Ran): { hosts: Record<string, Record<string, number>> } {
  return JSON.parse(ran.out.trim().split('\n').at(-1)!);
}
