// Ansible Vault's on-disk format, versions 1.1 and 1.2 (AES256 only, as Ansible writes it):
//   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ";<vault id>")
//   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), wrapped at 80 columns
// Keys: PBKDF2-HMAC-SHA256(password, 32-byte salt, 10000 rounds) -> 80 bytes =
// AES-256 key | HMAC-SHA256 key | CTR counter. Plaintext is PKCS#7-padded to the AES block
// before CTR encryption, and the HMAC covers the ciphertext. node:crypto does all of it.
import { createCipheriv, createDecipheriv, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';
export const DEFAULT_VAULT_ID = 'default';
const ITERATIONS = 10000;
const KEY_LEN = 32;
const IV_LEN = 16;
const BLOCK = 16;
const LINE = 80;
/** AES key, HMAC key and CTR counter, in that order. */
const DERIVED_LEN = 2 * KEY_LEN + IV_LEN;

/** Why a vault could not be opened; `message` never holds ciphertext or plaintext. */
export class VaultError extends Error {
  constructor(
    message: string,
    readonly kind: 'format' | 'password',
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

export interface Envelope {
  version: '1.1' | '1.2';
  /** The id named in a 1.2 header; undefined for 1.1. */
  vaultId?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(VAULT_HEADER + ';');
}

export function parseEnvelope(text: string): Envelope {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = lines[0].split(';').map((s) => s.trim());
  if (header[0] !== VAULT_HEADER) throw new VaultError('not vault data: the first line must start with $ANSIBLE_VAULT;', 'format');
  const [, version, cipher, vaultId] = header;
  if (version !== '1.1' && version !== '1.2')
    throw new VaultError(`unsupported vault format version "${version ?? ''}" (1.1 and 1.2 are read)`, 'format');
  if (cipher !== 'AES256') throw new VaultError(`unsupported vault cipher "${cipher ?? ''}" (only AES256 exists)`, 'format');
  const outer = unhex(lines.slice(1).join(''), 'body');
  const parts = outer.toString('latin1').split('\n');
  if (parts.length !== 3) throw new VaultError('vault body is truncated or corrupted: expected salt, HMAC and ciphertext', 'format');
  const [salt, hmac, ciphertext] = [unhex(parts[0], 'salt'), unhex(parts[1], 'HMAC'), unhex(parts[2], 'ciphertext')];
  if (hmac.length !== 32) throw new VaultError('vault HMAC has the wrong length: the data is truncated or corrupted', 'format');
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0)
    throw new VaultError('vault ciphertext is truncated or corrupted', 'format');
  return { version, vaultId: version === '1.2' && vaultId ? vaultId : undefined, salt, hmac, ciphertext };
}

/** Every well-formed envelope in `text`: a whole vault file, or each `!vault |` block of a YAML
 *  file (the header, then lines of hex, at any indentation). Values written otherwise (a quoted
 *  string with "\n" escapes) are not found here; they are opened as they load all the same. */
export function envelopesIn(text: string): Envelope[] {
  const out: Envelope[] = [];
  if (!text.includes(VAULT_HEADER)) return out;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.indexOf(VAULT_HEADER + ';');
    if (at < 0) continue;
    const block = [lines[i]!.slice(at)];
    while (i + 1 < lines.length && /^\s*[0-9a-fA-F]+\s*$/.test(lines[i + 1]!)) block.push(lines[++i]!);
    try {
      out.push(parseEnvelope(block.join('\n')));
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
    }
  }
  return out;
}

function unhex(s: string, what: string): Buffer {
  if (s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(s)) {
    throw new VaultError(`vault ${what} is not valid hex: the data is truncated or corrupted`, 'format');
  }
  return Buffer.from(s, 'hex');
}

/** PBKDF2's output by password and salt (hex), derived ahead on Node's thread pool. */
const derivedAhead = new WeakMap<Buffer, Map<string, Buffer>>();

/** Derives the keys of `salt` with `password` on Node's thread pool, off the main thread (10,000
 *  rounds: about 16 ms of CPU), for decryptEnvelope to take when it opens that value. */
export function deriveKeysAhead(password: Buffer, salt: Buffer): Promise<void> {
  return new Promise((resolve) =>
    pbkdf2(password, salt, ITERATIONS, DERIVED_LEN, 'sha256', (err, bytes) => {
      // A failure here is met again, and reported, by the derivation decryptEnvelope then makes.
      if (!err) {
        const bySalt = derivedAhead.get(password) ?? new Map<string, Buffer>();
        derivedAhead.set(password, bySalt.set(salt.toString('hex'), bytes));
      }
      resolve();
    }),
  );
}

function deriveKeys(password: Buffer, salt: Buffer): { aesKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const k = derivedAhead.get(password)?.get(salt.toString('hex')) ?? pbkdf2Sync(password, salt, ITERATIONS, DERIVED_LEN, 'sha256');
  return { aesKey: k.subarray(0, KEY_LEN), hmacKey: k.subarray(KEY_LEN, 2 * KEY_LEN), iv: k.subarray(2 * KEY_LEN) };
}

/** The plaintext, or a VaultError of kind 'password' when the HMAC does not match. */
export function decryptEnvelope(env: Envelope, password: Buffer): Buffer {
  const { aesKey, hmacKey, iv } = deriveKeys(password, env.salt);
  const mac = createHmac('sha256', hmacKey).update(env.ciphertext).digest();
  if (!timingSafeEqual(mac, env.hmac))
    throw new VaultError('HMAC check failed: wrong vault password (or the data was altered)', 'password');
  const d = createDecipheriv('aes-256-ctr', aesKey, iv);
  const padded = Buffer.concat([d.update(env.ciphertext), d.final()]);
  const pad = padded[padded.length - 1];
  if (pad < 1 || pad > BLOCK || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new VaultError('vault padding is invalid: the data is corrupted', 'format');
  }
  return padded.subarray(0, padded.length - pad);
}

/** Vault text as `ansible-vault encrypt` writes it: 1.1, or 1.2 when a non-default id is given. */
export function encryptVault(plaintext: Buffer, password: Buffer, vaultId?: string, salt: Buffer = randomBytes(32)): string {
  const { aesKey, hmacKey, iv } = deriveKeys(password, salt);
  const pad = BLOCK - (plaintext.length % BLOCK);
  const c = createCipheriv('aes-256-ctr', aesKey, iv);
  const ciphertext = Buffer.concat([c.update(Buffer.concat([plaintext, Buffer.alloc(pad, pad)])), c.final()]);
  const mac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const body = Buffer.from([salt.toString('hex'), mac.toString('hex'), ciphertext.toString('hex')].join('\n'), 'latin1').toString('hex');
  const header = vaultId && vaultId !== DEFAULT_VAULT_ID ? `${VAULT_HEADER};1.2;AES256;${vaultId}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < body.length; i += LINE) lines.push(body.slice(i, i + LINE));
  return lines.join('\n') + '\n';
}
