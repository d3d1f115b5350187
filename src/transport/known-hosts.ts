// OpenSSH known_hosts: parsing and matching, pure. File access and trust-on-first-use live in ssh-host-keys.ts.
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line in the file, for messages that tell the user what to fix. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Either plain patterns (comma list, may hold `*`, `?`, `!neg`, `[host]:port`) or one hashed name. */
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
}

export interface KnownHostsFile {
  entries: KnownHostEntry[];
  /** Lines that could not be read; OpenSSH skips them too, but the user should hear about them. */
  skipped: { line: number; reason: string }[];
}

export function parseKnownHosts(text: string): KnownHostsFile {
  const entries: KnownHostEntry[] = [];
  const skipped: KnownHostsFile['skipped'] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]!.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        skipped.push({ line: i + 1, reason: `unknown marker ${m}` });
        continue;
      }
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) {
      skipped.push({ line: i + 1, reason: 'expected: [marker] hosts key-type base64-key [comment]' });
      continue;
    }
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0 || keyBlobType(key) !== keyType) {
      skipped.push({ line: i + 1, reason: `the key does not decode to a ${keyType} key` });
      continue;
    }
    const entry: KnownHostEntry = { line: i + 1, marker, patterns: [], keyType, key };
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      entry.hashed = { salt: Buffer.from(salt ?? '', 'base64'), hash: Buffer.from(hash ?? '', 'base64') };
      if (entry.hashed.salt.length !== 20 || entry.hashed.hash.length !== 20) {
        skipped.push({ line: i + 1, reason: 'malformed hashed host name' });
        continue;
      }
    } else {
      entry.patterns = hosts.split(',').filter(Boolean);
    }
    entries.push(entry);
  }
  return { entries, skipped };
}

/** The name OpenSSH looks up: the bare host for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed) return hashHostName(name, entry.hashed.salt).equals(entry.hashed.hash);
  let matched = false;
  for (const p of entry.patterns) {
    const negated = p.startsWith('!');
    if (!globMatch(negated ? p.slice(1) : p, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|\\[\]]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  /** A key of the same type is recorded for this host and it is not the one presented. */
  | { status: 'changed'; entries: KnownHostEntry[] }
  /** Nothing of this type is recorded; `otherTypes` are the types that are. */
  | { status: 'unknown'; otherTypes: string[] };

export function checkHostKey(file: KnownHostsFile, host: string, port: number, key: Buffer): HostKeyVerdict {
  // A revoked key is refused whatever host it is listed for, as OpenSSH does.
  const revoked = file.entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const type = keyBlobType(key);
  const forHost = file.entries.filter((e) => e.marker === undefined && entryMatches(e, host, port));
  const same = forHost.find((e) => e.key.equals(key));
  if (same) return { status: 'known', entry: same };
  const sameType = forHost.filter((e) => e.keyType === type);
  if (sameType.length) return { status: 'changed', entries: sameType };
  return { status: 'unknown', otherTypes: [...new Set(forHost.map((e) => e.keyType))] };
}

/** Key types recorded for a host, so the handshake can ask for one the file can vouch for. */
export function knownKeyTypes(file: KnownHostsFile, host: string, port: number): string[] {
  const types = file.entries.filter((e) => e.marker === undefined && entryMatches(e, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** The algorithm name is the first string of the SSH wire-format key blob. */
export function keyBlobType(key: Buffer): string {
  if (key.length < 4) return '';
  const len = key.readUInt32BE(0);
  if (len > key.length - 4) return '';
  return key.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:...` exactly as ssh-keygen -l prints it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

export function formatKnownHostsLine(host: string, port: number, key: Buffer): string {
  return `${knownHostsName(host, port)} ${keyBlobType(key)} ${key.toString('base64')}`;
}
