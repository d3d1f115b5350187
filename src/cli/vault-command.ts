// `portsync-deploy vault encrypt|decrypt|view|encrypt_string`: the subset of `ansible-vault`
// an operator needs, reading and writing the same format (src/vault/format.ts).
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, ValidationError, formatProblem } from '../errors.js';
import { readRegular } from '../read-regular.js';
import { writeFileAtomic } from '../write-atomic.js';
import { terminalPrompt } from '../transport/terminal-prompt.js';
import { DEFAULT_VAULT_ID, encryptVault, isVaultText } from '../vault/format.js';
import { openVault, setVaultPasswords } from '../vault/keyring.js';
import { collectVaultPasswords, type VaultPassword } from '../vault/passwords.js';

export const VAULT_USAGE = `Usage:
  portsync-deploy vault encrypt [FILE...] [--output F]   encrypt files in place (no FILE: stdin to stdout)
  portsync-deploy vault decrypt [FILE...] [--output F]   decrypt files in place (--output - prints)
  portsync-deploy vault view FILE...                     print the decrypted content
  portsync-deploy vault encrypt_string [--name N] [STRING]  a "!vault |" YAML value (no STRING: read stdin)

Password options, as for a run: --vault-password-file F, --ask-vault-pass (-J), --vault-id ID@SRC,
PORTSYNC_VAULT_PASSWORD / ANSIBLE_VAULT_PASSWORD_FILE. --encrypt-vault-id ID picks the id to
encrypt with when several are given; a non-default id writes format 1.2.
`;

const ACTIONS = ['encrypt', 'decrypt', 'view', 'encrypt_string'];
const STRING_INDENT = ' '.repeat(10);

export async function vaultMain(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; stdin: () => string },
): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const p of e.problems) io.err(`error: ${formatProblem(p)}\n`);
    return EXIT.invalid;
  }
}

async function run(argv: string[], io: { out: (s: string) => void; stdin: () => string }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string' },
        name: { type: 'string' },
        'encrypt-vault-id': { type: 'string' },
        'vault-password-file': { type: 'string', multiple: true },
        'ask-vault-pass': { type: 'boolean', short: 'J' },
        'vault-id': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new ValidationError([{ message: (e as Error).message, hint: 'run portsync-deploy vault --help' }]);
  }
  const v = parsed.values;
  const [action, ...args] = parsed.positionals;
  if (v.help) return (io.out(VAULT_USAGE), EXIT.ok);
  if (!action || !ACTIONS.includes(action))
    throw new ValidationError([{ message: `unknown vault action "${action ?? ''}"`, hint: `one of: ${ACTIONS.join(', ')}` }]);
  const passwords = await collectVaultPasswords(
    { passwordFiles: v['vault-password-file'] ?? [], askVaultPass: !!v['ask-vault-pass'], vaultIds: v['vault-id'] ?? [] },
    process.env,
    terminalPrompt(),
  );
  setVaultPasswords(passwords);
  switch (action) {
    case 'encrypt': {
      const key = encryptionKey(passwords, v['encrypt-vault-id']);
      return eachFile(
        args,
        v.output,
        io,
        (text, file) => {
          if (isVaultText(text))
            throw new ValidationError([{ message: `${file} is already vault-encrypted`, pos: { file, line: 1, col: 1 } }]);
          return encryptVault(Buffer.from(text), key.password, key.id);
        },
        0o600,
      );
    }
    case 'decrypt':
      return eachFile(args, v.output, io, (text, file) => decrypted(text, file));
    case 'view':
      if (!args.length) throw new ValidationError([{ message: 'vault view needs a FILE' }]);
      for (const f of args) io.out(decrypted(readText(f), f));
      return EXIT.ok;
    default: {
      const key = encryptionKey(passwords, v['encrypt-vault-id']);
      if (args.length > 1)
        throw new ValidationError([{ message: 'encrypt_string takes one STRING', hint: 'quote it, or pipe it on stdin' }]);
      const plain = args.length ? args[0] : io.stdin().replace(/\r?\n$/, '');
      const body = encryptVault(Buffer.from(plain), key.password, key.id)
        .trimEnd()
        .split('\n')
        .map((l) => STRING_INDENT + l)
        .join('\n');
      io.out(`${v.name ? `${v.name}: ` : ''}!vault |\n${body}\n`);
      return EXIT.ok;
    }
  }
}

function encryptionKey(passwords: VaultPassword[], wanted: string | undefined): VaultPassword {
  if (wanted) {
    const p = passwords.find((x) => x.id === wanted);
    if (!p)
      throw new ValidationError([
        { message: `--encrypt-vault-id ${wanted}: no password was given for vault id "${wanted}"`, hint: `add --vault-id ${wanted}@FILE` },
      ]);
    return p;
  }
  const ids = [...new Set(passwords.map((p) => p.id))];
  if (!passwords.length)
    throw new ValidationError([
      {
        message: 'no vault password given to encrypt with',
        hint: 'pass --vault-password-file FILE, --ask-vault-pass or --vault-id ID@FILE',
      },
    ]);
  if (ids.length > 1)
    throw new ValidationError([
      { message: `several vault ids given (${ids.join(', ')}); which one encrypts?`, hint: 'add --encrypt-vault-id ID' },
    ]);
  return passwords.find((p) => p.id !== DEFAULT_VAULT_ID) ?? passwords[0];
}

function decrypted(text: string, file: string): string {
  if (!isVaultText(text)) throw new ValidationError([{ message: `${file} is not vault-encrypted`, pos: { file, line: 1, col: 1 } }]);
  return openVault(text, { file, line: 1, col: 1 }, false);
}

/** The most a file the vault command encrypts or decrypts may hold: vars files, not data sets. */
const MAX_VAULT_FILE_BYTES = 64 * 1024 * 1024;

function readText(file: string): string {
  try {
    return readRegular(file, MAX_VAULT_FILE_BYTES);
  } catch (e) {
    throw new ValidationError([{ message: `cannot read ${file}: ${(e as Error).message}` }]);
  }
}

/** Each FILE in place (or into --output), stdin to stdout with no FILE. Every file is
 *  transformed before any is written, so one bad file leaves all of them untouched. */
function eachFile(
  files: string[],
  output: string | undefined,
  io: { out: (s: string) => void; stdin: () => string },
  transform: (text: string, file: string) => string,
  mode?: number,
): number {
  if (!files.length || (files.length === 1 && files[0] === '-')) {
    const result = transform(io.stdin(), '(stdin)');
    if (output && output !== '-') writeFileAtomic(output, result, mode ?? 0o600);
    else io.out(result);
    return EXIT.ok;
  }
  if (output && files.length > 1) throw new ValidationError([{ message: '--output takes one input FILE' }]);
  const results = files.map((f) => ({ file: f, text: transform(readText(f), f) }));
  for (const r of results) {
    if (output === '-') io.out(r.text);
    else writeFileAtomic(output ?? r.file, r.text, mode ?? existingMode(output ?? r.file));
  }
  return EXIT.ok;
}

function existingMode(file: string): number {
  try {
    return statSync(file).mode & 0o7777;
  } catch {
    return 0o600;
  }
}
