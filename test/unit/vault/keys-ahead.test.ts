// A vault value's keys can be derived ahead, on Node's thread pool, and opening the value then
// takes them. A derivation made ahead is keyed by the password's bytes object: each test
// overwrites those bytes afterwards, so only the keys derived ahead can still open the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptEnvelope, deriveKeysAhead, encryptVault, envelopesIn, parseEnvelope, VaultError } from '../../../src/vault/format.js';
import { deriveVaultKeysAhead, openVault, setVaultPasswords } from '../../../src/vault/keyring.js';

const POS = { file: 'group_vars/all.yaml', line: 3, col: 7 };
const indented = (text: string, by: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => by + l)
    .join('\n');

test('envelopesIn finds a whole vault file and every !vault block of a YAML file, and skips damaged ones', () => {
  const pw = Buffer.from('pw');
  const a = encryptVault(Buffer.from('one'), pw);
  const b = encryptVault(Buffer.from('two'), pw, 'prod');
  const damaged = a.replace(/\n[0-9a-f]+\n/, '\nzz\n');
  const yaml = `x: 1\nfirst: !vault |\n${indented(a, '  ')}\nnested:\n  second: !vault |\n${indented(b, '        ')}\nbad: !vault |\n${indented(damaged, '  ')}\ny: 2\n`;
  const found = envelopesIn(yaml);
  assert.deepEqual(
    found.map((e) => e.salt),
    [parseEnvelope(a).salt, parseEnvelope(b).salt],
  );
  assert.deepEqual(decryptEnvelope(found[1]!, pw), Buffer.from('two'));
  assert.deepEqual(envelopesIn(a), [parseEnvelope(a)]);
  assert.deepEqual(envelopesIn('plain: text\n'), []);
});

test('decryptEnvelope takes the keys derived ahead for its password and salt', async () => {
  const pw = Buffer.from('right');
  const env = parseEnvelope(encryptVault(Buffer.from('secret'), pw));
  await deriveKeysAhead(pw, env.salt);
  pw.write('wrong');
  assert.deepEqual(decryptEnvelope(env, pw), Buffer.from('secret'));
  // The same bytes without a derivation ahead: the password they now hold is wrong.
  assert.throws(
    () => decryptEnvelope(env, Buffer.from('wrong')),
    (e: unknown) => e instanceof VaultError && e.kind === 'password',
  );
});

test("the keyring derives each value's keys with the password it tries first: its vault id's", async (t) => {
  const dev = Buffer.from('dev-password');
  const prod = Buffer.from('prod-password');
  t.after(() => setVaultPasswords([]));
  setVaultPasswords([
    { id: 'dev', source: 'dev.txt', password: dev },
    { id: 'prod', source: 'prod.txt', password: prod },
  ]);
  const value = encryptVault(Buffer.from('prod secret'), prod, 'prod');
  await deriveVaultKeysAhead([`a: !vault |\n${indented(value, '  ')}\n`]);
  prod.write('PROD-PASSWORD');
  assert.equal(openVault(value, POS), 'prod secret');
});

test('without a vault password, deriving ahead does not fail', async (t) => {
  t.after(() => setVaultPasswords([]));
  setVaultPasswords([]);
  await deriveVaultKeysAhead([encryptVault(Buffer.from('x'), Buffer.from('pw'))]);
});
