// Command-line options shared by the subcommands (node:util parseArgs, no extra dependency).
import { parseArgs } from 'node:util';
import { ValidationError } from '../errors.js';

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
  verbose: boolean;
  /** How many -v: 2 and more add per-phase timings. */
  verbosity: number;
  acceptNewHostKeys: boolean;
  forceHandlers: boolean;
  host?: string;
  list: boolean;
  help: boolean;
  version: boolean;
  vaultPasswordFiles: string[];
  askVaultPass: boolean;
  vaultIds: string[];
}

const DEFAULT_FORKS = 50;

const splitList = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);

export function parseCliOptions(argv: string[]): CliOptions {
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
      },
    });
  } catch (e) {
    throw new ValidationError([{ message: (e as Error).message, hint: 'run portsync-deploy --help for the options' }]);
  }
  const v = parsed.values;
  const forks = v.forks === undefined ? DEFAULT_FORKS : Number(v.forks);
  if (!Number.isInteger(forks) || forks < 1) {
    throw new ValidationError([{ message: `--forks must be a positive integer, got "${v.forks}"`, hint: `the default is ${DEFAULT_FORKS}` }]);
  }
  return {
    positionals: parsed.positionals,
    inventory: v.inventory ?? [],
    check: !!v.check,
    diff: !!v.diff,
    limit: v.limit,
    tags: splitList(v.tags),
    skipTags: splitList(v['skip-tags']),
    extraVars: v['extra-vars'] ?? [],
    forks,
    json: !!v.json,
    perHost: !!v['per-host'],
    verbose: (v.verbose?.length ?? 0) > 0,
    verbosity: v.verbose?.length ?? 0,
    acceptNewHostKeys: !!v['accept-new-host-keys'],
    forceHandlers: !v['no-force-handlers'],
    host: v.host,
    list: !!v.list,
    help: !!v.help,
    version: !!v.version,
    vaultPasswordFiles: v['vault-password-file'] ?? [],
    askVaultPass: !!v['ask-vault-pass'],
    vaultIds: v['vault-id'] ?? [],
  };
}
