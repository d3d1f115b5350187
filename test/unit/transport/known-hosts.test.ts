import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  checkHostKey,
  entryMatches,
  fingerprint,
  formatKnownHostsLine,
  keyBlobType,
  knownHostsName,
  parseKnownHosts,
} from '../../../src/transport/known-hosts.js';

/** A syntactically valid SSH key blob: string type, then opaque bytes. */
function blob(type: string, seed = randomBytes(32)): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const dataLen = Buffer.alloc(4);
  dataLen.writeUInt32BE(seed.length);
  return Buffer.concat([len, t, dataLen, seed]);
}
const ED = blob('ssh-ed25519');
const ED2 = blob('ssh-ed25519');
const RSA = blob('ssh-rsa');
const b64 = (k: Buffer) => k.toString('base64');

function hashed(name: string, salt = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

test('names: bare host on port 22, [host]:port elsewhere, lowercased', () => {
  assert.equal(knownHostsName('SW1.Example', 22), 'sw1.example');
  assert.equal(knownHostsName('10.0.0.1', 2222), '[10.0.0.1]:2222');
});

test('parses plain lists, markers, comments, and reports unreadable lines', () => {
  const f = parseKnownHosts(
    [
      '# comment',
      '',
      `sw1,10.0.0.1 ssh-ed25519 ${b64(ED)} admin@host`,
      `@revoked * ssh-rsa ${b64(RSA)}`,
      `@cert-authority *.example ssh-ed25519 ${b64(ED2)}`,
      'broken-line-without-key',
      `sw2 ssh-rsa ${b64(ED)}`, // the blob says ed25519, the field says rsa
      `@bogus sw3 ssh-ed25519 ${b64(ED)}`,
    ].join('\n'),
  );
  assert.deepEqual(
    f.entries.map((e) => [e.line, e.marker, e.patterns, e.keyType]),
    [
      [3, undefined, ['sw1', '10.0.0.1'], 'ssh-ed25519'],
      [4, 'revoked', ['*'], 'ssh-rsa'],
      [5, 'cert-authority', ['*.example'], 'ssh-ed25519'],
    ],
  );
  assert.deepEqual(
    f.skipped.map((s) => s.line),
    [6, 7, 8],
  );
});

test('matches [host]:port only on that port, and plain names only on 22', () => {
  const [plain, bracket] = parseKnownHosts(`sw1 ssh-ed25519 ${b64(ED)}\n[sw1]:2222 ssh-ed25519 ${b64(ED)}`).entries;
  assert.ok(entryMatches(plain!, 'sw1', 22));
  assert.ok(!entryMatches(plain!, 'sw1', 2222));
  assert.ok(entryMatches(bracket!, 'sw1', 2222));
  assert.ok(!entryMatches(bracket!, 'sw1', 22));
  assert.ok(!entryMatches(bracket!, 'sw1', 2223));
});

test('wildcards and negation follow OpenSSH pattern rules', () => {
  const [e] = parseKnownHosts(`sw?.dc1,*.dc2,!bad.dc2 ssh-ed25519 ${b64(ED)}`).entries;
  assert.ok(entryMatches(e!, 'sw1.dc1', 22));
  assert.ok(!entryMatches(e!, 'sw10.dc1', 22));
  assert.ok(entryMatches(e!, 'x.dc2', 22));
  assert.ok(!entryMatches(e!, 'bad.dc2', 22));
  assert.ok(!entryMatches(e!, 'x.dc2.evil', 22));
});

test('hashed entries match the HMAC-SHA1 of the looked-up name only', () => {
  const f = parseKnownHosts(`${hashed('sw1')} ssh-ed25519 ${b64(ED)}\n${hashed('[sw1]:830')} ssh-ed25519 ${b64(ED2)}`);
  assert.ok(entryMatches(f.entries[0]!, 'sw1', 22));
  assert.ok(entryMatches(f.entries[0]!, 'SW1', 22));
  assert.ok(!entryMatches(f.entries[0]!, 'sw2', 22));
  assert.ok(entryMatches(f.entries[1]!, 'sw1', 830));
  assert.ok(!entryMatches(f.entries[1]!, 'sw1', 22));
});

test('verdicts: known, changed (same type), unknown (other types listed), revoked anywhere', () => {
  const f = parseKnownHosts(`sw1 ssh-ed25519 ${b64(ED)}\nsw2 ssh-rsa ${b64(RSA)}\n@revoked other ssh-ed25519 ${b64(ED2)}`);
  assert.equal(checkHostKey(f, 'sw1', 22, ED).status, 'known');
  const changed = checkHostKey(f, 'sw1', 22, blob('ssh-ed25519'));
  assert.equal(changed.status, 'changed');
  assert.equal(changed.status === 'changed' && changed.entries[0]!.line, 1);
  assert.deepEqual(checkHostKey(f, 'sw2', 22, ED), { status: 'unknown', otherTypes: ['ssh-rsa'] });
  assert.deepEqual(checkHostKey(f, 'sw3', 22, ED), { status: 'unknown', otherTypes: [] });
  assert.equal(checkHostKey(f, 'sw9', 22, ED2).status, 'revoked');
});

test('a @cert-authority line never vouches for a host key', () => {
  const f = parseKnownHosts(`@cert-authority sw1 ssh-ed25519 ${b64(ED)}`);
  assert.equal(checkHostKey(f, 'sw1', 22, ED).status, 'unknown');
});

test('fingerprint is ssh-keygen -l style; the line written is read back as known', () => {
  const fp = fingerprint(ED);
  assert.equal(fp, 'SHA256:' + createHash('sha256').update(ED).digest('base64').replace(/=+$/, ''));
  assert.equal(keyBlobType(ED), 'ssh-ed25519');
  const line = formatKnownHostsLine('127.0.0.1', 2222, ED);
  assert.equal(line, `[127.0.0.1]:2222 ssh-ed25519 ${b64(ED)}`);
  assert.equal(checkHostKey(parseKnownHosts(line), '127.0.0.1', 2222, ED).status, 'known');
});
