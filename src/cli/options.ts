// Command-line options shared by the subcommands (node:util parseArgs, no extra dependency).
import { parseArgs } from 'node:util';
import { ValidationError } from '../errors.js';
import { readRegular } from '../read-regular.js';
import type { Vars } from '../playbook/types.js';
import type { AnsibleConfig } from './ansible-cfg.js';

export interface CliOptions {
  positionals: string[];
  /** Every -i in order; later sources add to and override earlier ones. */
  inventory: string[];
  check: boolean;
  diff: boolean;
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  forks: number;
  json: boolean;
  perHost: boolean;
  /** --report FILE.html */
  report?: string;
  /** monitoring --out DIR */
  out?: string;
  verbose: boolean;
  /** How many -v: 1 round trips and ansible.cfg notes, 2 per-phase timings, 3 each connection, exec and upload, 4 each script's steps. */
  verbosity: number;
  acceptNewHostKeys: boolean;
  forceHandlers: boolean;
  host?: string;
  list: boolean;
  help: boolean;
  version: boolean;
  vaultPasswordFiles: string[];
  askVaultPass: boolean;
  /** -K: ask for sudo's password on the terminal (src/cli/become-password.ts). */
  askBecomePass: boolean;
  vaultIds: string[];
  /** ansible.cfg's connection settings, then -u / -b / --become-user: the lowest variable layer. */
  connectionVars: Vars;
  listHosts: boolean;
  listTasks: boolean;
  listTags: boolean;
  syntaxCheck: boolean;
  startAtTask?: string;
  step: boolean;
  /** Where roles are looked up after roles/ beside the playbook (ansible.cfg roles_path, ANSIBLE_ROLES_PATH). */
  rolesPath: string[];
  /** --queue redis://…: the run's host work goes to workers (the coordinator), or is taken from there (worker). */
  queue?: string;
  /** worker: jobs run at once. */
  concurrency: number;
  /** worker: the group whose queue it serves. */
  group?: string;
  /** worker: how long a job's lock lasts without renewal; a dead worker's job is taken again after it. */
  lockSeconds: number;
  /** coordinator: how long to wait for Redis and for a group's first worker. */
  queueTimeout: number;
  /** What ansible.cfg reading noticed (file used, keys ignored), shown under -v. */
  configNotes: string[];
}

const DEFAULT_FORKS = 50;

const splitList = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export function parseCliOptions(argv: string[], cfg?: AnsibleConfig): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        inventory: { type: 'string', short: 'i', multiple: true },
        check: { type: 'boolean', short: 'C' },
        diff: { type: 'boolean', short: 'D' },
        limit: { type: 'string', short: 'l' },
        tags: { type: 'string', short: 't', multiple: true },
        'skip-tags': { type: 'string', multiple: true },
        'extra-vars': { type: 'string', short: 'e', multiple: true },
        forks: { type: 'string', short: 'f' },
        json: { type: 'boolean' },
        'per-host': { type: 'boolean' },
        report: { type: 'string' },
        out: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', multiple: true },
        'accept-new-host-keys': { type: 'boolean' },
        'no-force-handlers': { type: 'boolean' },
        host: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'vault-password-file': { type: 'string', multiple: true },
        'ask-vault-pass': { type: 'boolean', short: 'J' },
        'vault-id': { type: 'string', multiple: true },
        version: { type: 'boolean' },
        user: { type: 'string', short: 'u' },
        become: { type: 'boolean', short: 'b' },
        'ask-become-pass': { type: 'boolean', short: 'K' },
        'become-user': { type: 'string' },
        'become-method': { type: 'string' },
        'list-hosts': { type: 'boolean' },
        'list-tasks': { type: 'boolean' },
        'list-tags': { type: 'boolean' },
        'syntax-check': { type: 'boolean' },
        'start-at-task': { type: 'string' },
        step: { type: 'boolean' },
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        group: { type: 'string' },
        'lock-seconds': { type: 'string' },
        'queue-timeout': { type: 'string' },
      },
    });
  } catch (e) {
    throw new ValidationError([{ message: (e as Error).message, hint: 'run portsync-deploy --help for the options' }]);
  }
  const v = parsed.values;
  const forks = v.forks === undefined ? (cfg?.forks ?? DEFAULT_FORKS) : Number(v.forks);
  if (!Number.isInteger(forks) || forks < 1) {
    throw new ValidationError([
      { message: `--forks must be a positive integer, got "${v.forks}"`, hint: `the default is ${DEFAULT_FORKS}` },
    ]);
  }
  if (v['become-method'] !== undefined && v['become-method'] !== 'sudo') {
    throw new ValidationError([
      {
        message: `--become-method ${v['become-method']} is not supported`,
        hint: 'only sudo is: become runs every script through sudo',
      },
    ]);
  }
  // -u and -b sit just above ansible.cfg: any inventory or playbook variable overrides them, as in Ansible.
  const connectionVars: Vars = { ...cfg?.hostVars };
  if (v.user !== undefined) connectionVars.ansible_user = v.user;
  if (v.become) connectionVars.ansible_become = true;
  if (v['become-user'] !== undefined) connectionVars.ansible_become_user = v['become-user'];
  return {
    positionals: parsed.positionals,
    inventory: v.inventory ?? cfg?.inventory ?? [],
    check: !!v.check,
    diff: !!v.diff,
    limit: v.limit?.startsWith('@') ? limitFile(v.limit.slice(1)) : v.limit,
    tags: splitList(v.tags),
    skipTags: splitList(v['skip-tags']),
    extraVars: v['extra-vars'] ?? [],
    forks,
    json: !!v.json,
    perHost: !!v['per-host'],
    report: v.report,
    out: v.out,
    verbose: (v.verbose?.length ?? 0) > 0,
    verbosity: v.verbose?.length ?? 0,
    acceptNewHostKeys: !!v['accept-new-host-keys'] || !!cfg?.acceptNewHostKeys,
    forceHandlers: !v['no-force-handlers'],
    host: v.host,
    list: !!v.list,
    help: !!v.help,
    version: !!v.version,
    vaultPasswordFiles: [...(v['vault-password-file'] ?? []), ...(cfg?.vaultPasswordFiles ?? [])],
    askVaultPass: !!v['ask-vault-pass'],
    askBecomePass: !!v['ask-become-pass'],
    vaultIds: v['vault-id'] ?? [],
    connectionVars,
    listHosts: !!v['list-hosts'],
    listTasks: !!v['list-tasks'],
    listTags: !!v['list-tags'],
    syntaxCheck: !!v['syntax-check'],
    startAtTask: v['start-at-task'],
    step: !!v.step,
    rolesPath: cfg?.rolesPath ?? [],
    configNotes: cfg?.notes ?? [],
    queue: v.queue ?? cfg?.queue,
    concurrency: positiveInt('--concurrency', v.concurrency, 10),
    group: v.group,
    lockSeconds: positiveInt('--lock-seconds', v['lock-seconds'], 30),
    queueTimeout: positiveInt('--queue-timeout', v['queue-timeout'], 10),
  };
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new ValidationError([
      { message: `${flag} must be a whole number from 1 to 100000, got "${value}"`, hint: `the default is ${fallback}` },
    ]);
  return n;
}

/** The most a --limit @file may hold: it is a list of host names, not data. */
const MAX_LIMIT_FILE = 1 << 20;

/** `-l @file`: one host pattern per line (a .retry file), as ansible-playbook reads it. */
function limitFile(file: string): string {
  let text: string;
  try {
    text = readRegular(file, MAX_LIMIT_FILE);
  } catch (e) {
    throw new ValidationError([
      { message: `--limit @${file}: cannot read it: ${(e as Error).message}`, hint: 'the file lists one host or pattern per line' },
    ]);
  }
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (!patterns.length)
    throw new ValidationError([
      { message: `--limit @${file} lists no host`, pos: { file, line: 1, col: 1 }, hint: 'the file lists one host or pattern per line' },
    ]);
  return patterns.join(',');
}
