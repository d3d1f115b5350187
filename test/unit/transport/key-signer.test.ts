// A login key decoded once signs exactly as ssh2 signs with its PEM text: the same bytes where
// the signature is deterministic (ed25519, RSA), a signature the public key accepts for ECDSA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { signingOnceDecoded } from '../../../src/transport/key-signer.js';

function keyPair(dir: string, type: string, bits?: string): [ParsedKey, ParsedKey] {
  const file = join(dir, `${type}${bits ?? ''}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-f', file]);
  const parse = () => ssh2.utils.parseKey(readFileSync(file)) as ParsedKey;
  return [parse(), signingOnceDecoded(parse())];
}

const data = Buffer.from('session id and userauth request bytes');

test('ed25519 and RSA (each digest) sign the same bytes as ssh2 does, and those verify', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-signer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [plain, once] = keyPair(dir, 'ed25519');
  assert.deepEqual(once.sign(data), plain.sign(data));
  assert.equal(plain.verify(data, once.sign(data)), true);
  const [rsaPlain, rsaOnce] = keyPair(dir, 'rsa', '2048');
  for (const algo of [undefined, 'sha1', 'sha256', 'sha512']) {
    assert.deepEqual(rsaOnce.sign(data, algo), rsaPlain.sign(data, algo), String(algo));
    assert.equal(rsaPlain.verify(data, rsaOnce.sign(data, algo), algo), true);
  }
});

test('ECDSA keys of each curve sign with their own digest, and the public key accepts it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-signer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const bits of ['256', '384', '521']) {
    const [plain, once] = keyPair(dir, 'ecdsa', bits);
    assert.equal(plain.verify(data, once.sign(data)), true, bits);
    assert.notEqual(once.sign, plain.sign);
  }
});

test('a signing failure is returned as an Error, as ssh2 expects, not thrown', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-signer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [, once] = keyPair(dir, 'rsa', '2048');
  assert.ok((once.sign(data, 'no-such-digest') as unknown) instanceof Error);
});
