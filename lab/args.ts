// `portsync-deploy lab ...` arguments → a command. Pure.
import { ValidationError, type Problem } from '../src/errors.js';
import { parseAsics } from './asics.js';

export type LabCommand =
  | { command: 'up'; name?: string; switches?: number; ports?: number; inventory?: string; asics?: Record<string, number> }
  | { command: 'down'; name?: string }
  | { command: 'status'; name?: string; json: boolean }
  | { command: 'shell'; name?: string; switch: string; argv: string[] }
  | { command: 'reboot'; name?: string; switch: string }
  | { command: 'rootfs' }
  | { command: 'help' };

export const USAGE = `usage: portsync-deploy lab <command> [options]

commands:
  up [--switches N] [--ports N] [--name NAME] [--inventory DIR] [--asics SWITCH=N,...]
                               start the lab, or complete it (keeps running switches);
                               --asics makes SWITCH multi-ASIC: N ASIC namespaces, each
                               with its own ports and Redis (SONiC's database_global.json)
  down [--name NAME]           remove everything the lab created
  status [--name NAME] [--json]
                               per switch: container, SSH, systemd state, Redis
  shell SWITCH [--name NAME] [-- CMD...]
                               a root shell (or CMD) inside a switch
  reboot SWITCH [--name NAME]  reboot one switch and wait until it is healthy
  rootfs                       build the cached switch root filesystem if needed

The default lab is named "lab" and writes inventories/lab/hosts.yaml.`;

const VALUE_OPTIONS: Record<string, string[]> = {
  up: ['--switches', '--ports', '--name', '--inventory', '--asics'],
  down: ['--name'],
  status: ['--name'],
  shell: ['--name'],
  reboot: ['--name'],
  rootfs: [],
};
const FLAG_OPTIONS: Record<string, string[]> = { status: ['--json'] };

export function parseLabArgs(argv: string[]): LabCommand {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (!(command in VALUE_OPTIONS)) {
    throw new ValidationError([{ message: `unknown lab command "${command}"`, hint: 'commands: up, down, status, shell, reboot, rootfs' }]);
  }
  const problems: Problem[] = [];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  let trailing: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--') {
      trailing = rest.slice(i + 1);
      break;
    }
    const [key, inline] = arg.split(/=(.*)/s, 2);
    if (VALUE_OPTIONS[command].includes(key)) {
      const value = inline ?? rest[++i];
      if (value === undefined) problems.push({ message: `${key} needs a value` });
      else values[key] = value;
    } else if (FLAG_OPTIONS[command]?.includes(arg)) {
      flags.add(arg);
    } else if (arg.startsWith('-')) {
      problems.push({ message: `unknown option ${arg} for lab ${command}` });
    } else {
      positional.push(arg);
    }
  }
  const count = (key: string): number | undefined => {
    if (values[key] === undefined) return undefined;
    if (!/^\d+$/.test(values[key])) problems.push({ message: `${key} must be a whole number, got "${values[key]}"` });
    return Number(values[key]);
  };
  const needsSwitch = command === 'shell' || command === 'reboot';
  if (needsSwitch && positional.length !== 1)
    problems.push({ message: `lab ${command} needs exactly one switch name`, hint: 'see `lab status` for the names' });
  if (!needsSwitch && positional.length) problems.push({ message: `unexpected argument "${positional[0]}" for lab ${command}` });
  if (trailing.length && command !== 'shell') problems.push({ message: `only lab shell takes a command after --` });

  let parsed: LabCommand;
  const name = values['--name'];
  switch (command) {
    case 'up': {
      const asics = values['--asics'] === undefined ? undefined : parseAsics(values['--asics']);
      problems.push(...(asics?.problems ?? []));
      parsed = {
        command,
        name,
        switches: count('--switches'),
        ports: count('--ports'),
        inventory: values['--inventory'],
        ...(asics ? { asics: asics.asics } : {}),
      };
      break;
    }
    case 'down':
      parsed = { command, name };
      break;
    case 'status':
      parsed = { command, name, json: flags.has('--json') };
      break;
    case 'shell':
      parsed = { command, name, switch: positional[0], argv: trailing };
      break;
    case 'reboot':
      parsed = { command, name, switch: positional[0] };
      break;
    default:
      parsed = { command: 'rootfs' };
  }
  if (problems.length) throw new ValidationError(problems.map((p) => ({ hint: 'run `portsync-deploy lab help` for usage', ...p })));
  return parsed;
}
