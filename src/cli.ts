// argv in, exit code out. Subcommands dispatch to src/cli/*; invalid input exits 3.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordPhase } from './timings.js';
import { EXIT, ValidationError, formatProblem } from './errors.js';
import { parseCliOptions, type CliOptions } from './cli/options.js';
import { USAGE } from './cli/help.js';
import { PACKAGE_ROOT } from './cli/paths.js';
import { runCommand } from './cli/run-command.js';
import { validateCommand } from './cli/validate-command.js';
import { verifyCommand } from './cli/verify-command.js';
import { inventoryCommand } from './cli/inventory-command.js';
import { renderCommand } from './cli/render-command.js';
import { healthCommand } from './cli/health-command.js';
import { monitoringCommand } from './cli/monitoring-command.js';
import { vaultMain } from './cli/vault-command.js';
import { loadVaultPasswords } from './cli/vault-passwords.js';
import { askBecomePassword } from './cli/become-password.js';
import { secrets } from './secrets/redact.js';
import { loadAnsibleConfig } from './cli/ansible-cfg.js';
import { listCommand } from './cli/list-command.js';

const SUBCOMMANDS = ['plan', 'validate', 'verify', 'render', 'inventory', 'health', 'monitoring', 'worker'];

export async function main(argv: string[]): Promise<number> {
  recordPhase('start-up', 0);
  if (argv[0] === 'vault') {
    const io = {
      out: (s: string) => void process.stdout.write(s),
      err: (s: string) => void process.stderr.write(s),
      stdin: () => readFileSync(0, 'utf8'),
    };
    return vaultMain(argv.slice(1), io);
  }
  let o: CliOptions | undefined;
  try {
    o = parseCliOptions(argv, loadAnsibleConfig());
    if (o.help) return print(USAGE, EXIT.ok);
    if (o.verbose && !o.json) for (const n of o.configNotes) process.stderr.write(`ansible.cfg: ${n}\n`);
    if (o.version) return print(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version + '\n', EXIT.ok);
    const [first, second] = o.positionals;
    await loadVaultPasswords(o);
    await askBecomePassword(o);
    const cmd = first && SUBCOMMANDS.includes(first) ? first : undefined;
    switch (cmd) {
      case 'plan':
        return await runCommand(o, second, true, true);
      case 'validate':
        return await validateCommand(o, second);
      case 'verify':
        return await verifyCommand(o, second);
      case 'render':
        return renderCommand(o, second);
      case 'inventory':
        return inventoryCommand(o);
      case 'health':
        return await healthCommand(o, second);
      case 'monitoring':
        return monitoringCommand(o);
      case 'worker':
        return await (await import('./cli/worker-command.js')).workerCommand(o);
      default:
        if (!first) return print(USAGE, EXIT.invalid, process.stderr);
        if (o.listHosts || o.listTasks || o.listTags || o.syntaxCheck) return await listCommand(o, first);
        return await runCommand(o, first, o.check, o.diff);
    }
  } catch (e) {
    if (!(e instanceof ValidationError)) return internalError(e);
    // Messages may quote values (a bad sysctl value, a failing template): mask secrets in them.
    const problems = secrets.redactValue(e.problems);
    if (o?.json)
      process.stdout.write(JSON.stringify({ event: 'problems', problems: problems.map((p) => ({ ...p, text: formatProblem(p) })) }) + '\n');
    else {
      for (const p of problems) process.stderr.write(`error: ${formatProblem(p)}\n`);
      process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found; nothing was changed.\n`);
    }
    return EXIT.invalid;
  }
}

/** An unexpected error is a bug: one line with every secret masked, and a request to report it.
 *  The stack only with PSD_DEBUG=1. Also what bin/ calls for an exception nothing caught. */
export function internalError(e: unknown): number {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  process.stderr.write(`internal error: ${secrets.redactText(what).split('\n')[0]}\n`);
  process.stderr.write(
    '  hint: this is a bug in portsync-deploy; please report it with the command you ran (PSD_DEBUG=1 shows where it happened)\n',
  );
  if (process.env.PSD_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(secrets.redactText(e.stack) + '\n');
  return EXIT.internal;
}

function print(text: string, code: number, stream: NodeJS.WriteStream = process.stdout): number {
  stream.write(text);
  return code;
}
