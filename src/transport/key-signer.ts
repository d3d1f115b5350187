// ssh2 signs a login with the key's PEM text, which OpenSSL decodes again for every signature:
// about 0.4 ms of CPU per host for an ed25519 key, more for RSA. A key decoded once signs the
// same bytes. A key of a type not listed here signs as ssh2 does.
import { createPrivateKey, sign } from 'node:crypto';
import type { ParsedKey } from 'ssh2';

/** The digest ssh2 uses for each key type when the caller names none. */
const DEFAULT_DIGEST = new Map<string, string | null>([
  ['ssh-ed25519', null],
  ['ssh-rsa', 'sha1'],
  ['ssh-dss', 'sha1'],
  ['ecdsa-sha2-nistp256', 'sha256'],
  ['ecdsa-sha2-nistp384', 'sha384'],
  ['ecdsa-sha2-nistp521', 'sha512'],
]);

/** `key`, signing with its private key decoded once (ssh2's contract: an Error is returned, not thrown). */
export function signingOnceDecoded(key: ParsedKey): ParsedKey {
  const digest = DEFAULT_DIGEST.get(key.type);
  if (digest === undefined || !key.isPrivateKey()) return key;
  let decoded;
  try {
    decoded = createPrivateKey(key.getPrivatePEM());
  } catch {
    return key;
  }
  key.sign = ((data: Buffer | string, algo?: string): Buffer | Error => {
    try {
      return sign(algo || digest, typeof data === 'string' ? Buffer.from(data) : data, decoded);
    } catch (e) {
      return e as Error;
    }
  }) as ParsedKey['sign'];
  return key;
}
