// Where vault passwords come from, as in Ansible: --vault-password-file FILE (a file, or an
// executable whose stdout is the password), --ask-vault-pass, --vault-id label@source (source:
// a file, an executable or "prompt"), and for CI the environment (PORTSYNC_VAULT_PASSWORD holds
// the password itself; ANSIBLE_VAULT_PASSWORD_FILE names a file, as it does for Ansible).
import { accessSync, constants, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { readRegularBytes } from '../read-regular.js';
import { DEFAULT_VAULT_ID } from './format.js';

export const PASSWORD_ENV = 'PORTSYNC_VAULT_PASSWORD';
export const PASSWORD_FILE_ENV = 'ANSIBLE_VAULT_PASSWORD_FILE';
/** A password script gets this long; a hung one must not hang the run. */
const SCRIPT_TIMEOUT_MS = 30_000;
const MAX_PASSWORD_BYTES = 64 * 1024;

export interface VaultPassword {
  id: string;
  /** Where it came from, for messages: a path, "prompt" or the variable's name. */
  source: string;
  password: Buffer;
}

export interface PasswordOptions {
  passwordFiles: string[];
  askVaultPass: boolean;
  vaultIds: string[];
}

export type Prompt = (question: string) => Promise<string>;

/** Every password the options and environment name, in the order given (each id once). */
export async function collectVaultPasswords(
  o: PasswordOptions,
  env: NodeJS.ProcessEnv,
  prompt: Prompt | undefined,
): Promise<VaultPassword[]> {
  const specs: { id: string; source: string }[] = [];
  for (const v of o.vaultIds) {
    const at = v.indexOf('@');
    specs.push(at < 0 ? { id: DEFAULT_VAULT_ID, source: v } : { id: v.slice(0, at) || DEFAULT_VAULT_ID, source: v.slice(at + 1) });
  }
  for (const f of o.passwordFiles) specs.push({ id: DEFAULT_VAULT_ID, source: f });
  if (o.askVaultPass) specs.push({ id: DEFAULT_VAULT_ID, source: 'prompt' });
  if (!specs.length && env[PASSWORD_FILE_ENV]) specs.push({ id: DEFAULT_VAULT_ID, source: env[PASSWORD_FILE_ENV] });

  const out: VaultPassword[] = [];
  if (env[PASSWORD_ENV])
    out.push({ id: DEFAULT_VAULT_ID, source: `$${PASSWORD_ENV}`, password: checked(Buffer.from(env[PASSWORD_ENV]), `$${PASSWORD_ENV}`) });
  for (const s of specs) {
    if (s.source === 'prompt') {
      if (!prompt)
        throw invalid(
          `--ask-vault-pass / --vault-id ${s.id}@prompt needs a terminal, and stdin is not one`,
          `in CI use --vault-password-file FILE or set ${PASSWORD_ENV}`,
        );
      const answer = await prompt(s.id === DEFAULT_VAULT_ID ? 'Vault password: ' : `Vault password (${s.id}): `);
      out.push({ id: s.id, source: 'prompt', password: checked(Buffer.from(answer), 'the prompt') });
    } else out.push({ id: s.id, source: s.source, password: readPasswordSource(resolve(s.source)) });
  }
  return out;
}

/** A password file's first line-trimmed content, or an executable's stdout (Ansible's rule). */
export function readPasswordSource(path: string): Buffer {
  let executable = false;
  try {
    if (!statSync(path).isFile())
      throw invalid(`vault password file ${path} is not a regular file`, 'pass a file holding the password, or a script that prints it');
    try {
      accessSync(path, constants.X_OK);
      executable = true;
    } catch {
      // not executable: a plain password file
    }
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw invalid(`vault password file ${path} was not found`, 'check the path given to --vault-password-file / --vault-id');
  }
  let raw: Buffer;
  if (executable) {
    try {
      // Run directly (no shell); its stderr stays the user's, so a script may prompt there.
      raw = execFileSync(path, [], { stdio: ['inherit', 'pipe', 'inherit'], timeout: SCRIPT_TIMEOUT_MS, maxBuffer: MAX_PASSWORD_BYTES });
    } catch (e) {
      const status = (e as { status?: number | null }).status;
      throw invalid(
        `vault password script ${path} failed${status !== undefined && status !== null ? ` (exit ${status})` : ''}`,
        'run the script by hand; if it is a plain password file, remove its executable bit',
      );
    }
  } else {
    try {
      raw = readRegularBytes(path, MAX_PASSWORD_BYTES);
    } catch (e) {
      throw invalid(`vault password file ${path}: ${(e as Error).message}`, 'the file holds only the password');
    }
  }
  // A file is stripped of surrounding whitespace, a script's output of line ends only.
  return checked(trim(raw, executable ? [0x0a, 0x0d] : [0x0a, 0x0d, 0x20, 0x09]), path);
}

function trim(b: Buffer, chars: number[]): Buffer {
  let start = 0;
  let end = b.length;
  const ws = (c: number) => chars.includes(c);
  while (start < end && ws(b[start])) start++;
  while (end > start && ws(b[end - 1])) end--;
  return b.subarray(start, end);
}

function checked(password: Buffer, where: string): Buffer {
  if (!password.length) throw invalid(`the vault password from ${where} is empty`, 'a vault password must not be empty');
  return password;
}

function invalid(message: string, hint: string): ValidationError {
  return new ValidationError([{ message, hint }]);
}
