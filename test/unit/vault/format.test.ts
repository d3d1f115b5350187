import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VaultError, decryptEnvelope, encryptVault, isVaultText, parseEnvelope } from '../../../src/vault/format.js';

const PW = Buffer.from('correct horse');

test('encrypt → parse → decrypt round-trips, 1.1 without an id and 1.2 with one, wrapped at 80 columns', () => {
  for (const [id, header] of [
    [undefined, '$ANSIBLE_VAULT;1.1;AES256'],
    ['default', '$ANSIBLE_VAULT;1.1;AES256'],
    ['prod', '$ANSIBLE_VAULT;1.2;AES256;prod'],
  ] as const) {
    const plain = Buffer.from('redis_password: "p@ss\\nword"\nlong: ' + 'x'.repeat(200) + '\n');
    const text = encryptVault(plain, PW, id);
    const lines = text.split('\n');
    assert.equal(lines[0], header);
    assert.ok(lines.slice(1, -2).every((l) => l.length === 80));
    assert.equal(lines.at(-1), '');
    assert.ok(isVaultText(text));
    const env = parseEnvelope(text);
    assert.equal(env.vaultId, id === 'prod' ? 'prod' : undefined);
    assert.deepEqual(decryptEnvelope(env, PW), plain);
  }
});

test('a block-sized plaintext gets a whole block of padding, an empty one too', () => {
  for (const n of [0, 15, 16, 17, 32]) {
    const plain = Buffer.alloc(n, 0x61);
    const env = parseEnvelope(encryptVault(plain, PW));
    assert.equal(env.ciphertext.length, (Math.floor(n / 16) + 1) * 16);
    assert.deepEqual(decryptEnvelope(env, PW), plain);
  }
});

test('the same salt and password give the same vault text (deterministic given the salt)', () => {
  const salt = Buffer.alloc(32, 7);
  assert.equal(encryptVault(Buffer.from('x'), PW, undefined, salt), encryptVault(Buffer.from('x'), PW, undefined, salt));
});

test('a wrong password is a password error; damage is a format error; neither message quotes the data', () => {
  const text = encryptVault(Buffer.from('top-secret-value'), PW);
  const env = parseEnvelope(text);
  assert.throws(
    () => decryptEnvelope(env, Buffer.from('wrong')),
    (e: unknown) => e instanceof VaultError && e.kind === 'password',
  );
  const body = text.split('\n').slice(1).join('');
  const cases = [
    text.split('\n').slice(0, 3).join('\n'), // truncated
    text.replace(/\n[0-9a-f]/, '\nZ'), // not hex
    '$ANSIBLE_VAULT;1.1;AES256\n', // empty body
    '$ANSIBLE_VAULT;9.9;AES256\n' + body,
    '$ANSIBLE_VAULT;1.1;DES\n' + body,
  ];
  for (const bad of cases) {
    assert.throws(
      () => decryptEnvelope(parseEnvelope(bad), PW),
      (e: unknown) => {
        assert.ok(e instanceof VaultError && e.kind === 'format', String(e));
        assert.ok(!/[0-9a-f]{16}/.test(e.message), e.message);
        assert.ok(!e.message.includes('top-secret'));
        return true;
      },
    );
  }
  // A flipped ciphertext bit fails the HMAC, so it can never decrypt to altered plaintext.
  const flipped = { ...env, ciphertext: Buffer.from(env.ciphertext) };
  flipped.ciphertext[0] ^= 1;
  assert.throws(
    () => decryptEnvelope(flipped, PW),
    (e: unknown) => e instanceof VaultError && e.kind === 'password',
  );
});
