// The run's vault passwords and the one place vault text is opened. Every decrypted value is
// registered with the secret redactor before anyone can print it. Failures are invalid input
// (exit 3) naming the file:line and vault id, never any ciphertext or plaintext.
import { ValidationError } from '../errors.js';
import type { SourcePos } from '../module.js';
import { secrets } from '../secrets/redact.js';
import { DEFAULT_VAULT_ID, VaultError, decryptEnvelope, deriveKeysAhead, envelopesIn, parseEnvelope, type Envelope } from './format.js';
import { PASSWORD_ENV, type VaultPassword } from './passwords.js';

let passwords: VaultPassword[] = [];

/** Sets the passwords for this process (the CLI does this once, before loading anything). */
export function setVaultPasswords(list: VaultPassword[]): void {
  passwords = list;
}

/** The passwords an envelope is tried with, in turn. The id in the header is a hint, not
 *  authenticated (as in Ansible): its password first, then the others. */
function inTurn(env: Envelope): VaultPassword[] {
  const id = env.vaultId ?? DEFAULT_VAULT_ID;
  return [...passwords.filter((p) => p.id === id), ...passwords.filter((p) => p.id !== id)];
}

/** Derives, on Node's thread pool, the keys of every vault value in `texts` with the password
 *  it is tried with first; resolves when they are ready for openVault. A run starts this before
 *  it loads the files, so that the derivations overlap other loading. */
export function deriveVaultKeysAhead(texts: Iterable<string>): Promise<void> {
  if (!passwords.length) return Promise.resolve();
  const work = new Map<string, Promise<void>>();
  for (const text of texts)
    for (const env of envelopesIn(text)) {
      const password = inTurn(env)[0]!;
      const key = `${passwords.indexOf(password)}:${env.salt.toString('hex')}`;
      if (!work.has(key)) work.set(key, deriveKeysAhead(password.password, env.salt));
    }
  return Promise.all(work.values()).then(() => undefined);
}

/** Decrypts vault text found at `pos`. The plaintext is tracked as a secret unless `track` is
 *  false: a whole encrypted vars file tracks its values once parsed instead. */
export function openVault(text: string, pos: SourcePos, track = true): string {
  const fail = (message: string, hint: string) => new ValidationError([{ message, pos, hint }]);
  let env;
  try {
    env = parseEnvelope(text);
  } catch (e) {
    if (e instanceof VaultError)
      throw fail(e.message, 'encrypt the value again with `portsync-deploy vault encrypt` or `ansible-vault encrypt`');
    throw e;
  }
  const id = env.vaultId ?? DEFAULT_VAULT_ID;
  const idText = `vault id "${id}"`;
  if (!passwords.length) {
    throw fail(
      `encrypted with ${idText}, but no vault password was given`,
      `pass --vault-password-file FILE, --ask-vault-pass or --vault-id ${id}@FILE, or set ${PASSWORD_ENV}`,
    );
  }
  for (const p of inTurn(env)) {
    try {
      const plain = decryptEnvelope(env, p.password).toString('utf8');
      if (track) secrets.add(plain);
      return plain;
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      if (e.kind === 'format')
        throw fail(e.message, 'encrypt the value again with `portsync-deploy vault encrypt` or `ansible-vault encrypt`');
    }
  }
  const given = [...new Set(passwords.map((p) => p.id))].join(', ');
  if (env.vaultId && !passwords.some((p) => p.id === id)) {
    throw fail(
      `encrypted with unknown ${idText}: no password was given for it (given: ${given}), and none of the given passwords opens it`,
      `pass --vault-id ${id}@FILE`,
    );
  }
  throw fail(
    `wrong vault password for ${idText}: decryption failed with every password given (${given})`,
    'check the password file or the --vault-id source',
  );
}
