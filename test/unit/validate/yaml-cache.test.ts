// A parse kept between runs gives the value, positions and marks the parse gave, only for the
// same text, never for a secret, and never from a folder another user could have written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedParse, YAML_CACHE_LIMITS, type Parsed } from '../../../src/validate/yaml-cache.js';
import { loadYamlFile, parseYaml, parseYamlFile, parseYamlSealed } from '../../../src/validate/yaml-source.js';
import { openSealed, type SealedValues } from '../../../src/validate/sealed-values.js';
import { encryptVault } from '../../../src/vault/format.js';
import { setVaultPasswords } from '../../../src/vault/keyring.js';
import { ownPosOf, posOf } from '../../../src/source-map.js';
import { isRaw, isUnsafe } from '../../../src/raw-data.js';

/** A fresh cache folder for one test (the folder is checked once per setting, so each test has its own). */
function cacheIn(t: { after(fn: () => void): void }, prepare?: (dir: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'psd-yaml-cache-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  prepare?.(root);
  process.env.PSD_CACHE_DIR = root;
  return root;
}

/** cachedParse of `text` as `file`, as parseYamlFile calls it, noting whether it parsed. */
function load(text: string, file: string): { value: unknown; parsed: boolean; sealed: SealedValues } {
  let parsed = false;
  const r = cachedParse(text, file, (): Parsed => {
    parsed = true;
    const y = parseYamlSealed(text, file);
    return { value: y.value, keep: !y.problems.length && !y.unsealable, sealed: y.sealed };
  });
  return { value: r.value, parsed, sealed: r.sealed };
}

const DOC = `base: &b { x: 1, y: [2, 3] }
leaf:
  <<: *b
  y: 4
same: *b
odd: [.nan, .inf, -.inf, -0.0, 0644, yes, "yes", 2024-01-02]
raw: !unsafe "{{ not a template }}"
whole: !unsafe
  - "{{ a }}"
  - { b: "{{ b }}" }
`;

test('a kept parse is the parse: values, shared aliases, positions, !unsafe marks', (t) => {
  const dir = cacheIn(t);
  const first = load(DOC, 'doc.yaml');
  const again = load(DOC, 'doc.yaml');
  assert.equal(first.parsed, true);
  assert.equal(again.parsed, false, 'the second load came from the cache');
  assert.equal(readdirSync(join(dir, 'yaml')).length, 1);
  assert.deepEqual(again.value, first.value);
  assert.deepEqual(marksOf(again.value), marksOf(first.value));
  const a = again.value as Record<string, Record<string, unknown> & unknown[]>;
  assert.equal(a.same, a.base, 'an alias is its anchor, as parsed');
  assert.ok(Object.is(a.odd[3], -0));
  assert.deepEqual(posOf(a.leaf, 'x'), { file: 'doc.yaml', line: 1, col: 12 });
  assert.deepEqual(ownPosOf(a.whole), { file: 'doc.yaml', line: 9, col: 3 });
  assert.equal(isUnsafe(a, 'raw'), true);
  assert.equal(isRaw(a.whole), true);
  assert.equal(isRaw(a.whole[1]), true);
});

/** Every container's own position, and each key's position and unsafe mark, by path. */
function marksOf(value: unknown, path = '$'): string[] {
  if (value === null || typeof value !== 'object') return [];
  const out = [`${path} own ${JSON.stringify(ownPosOf(value))} raw ${isRaw(value)}`];
  for (const k of Object.keys(value)) {
    const key = Array.isArray(value) ? Number(k) : k;
    out.push(`${path}.${k} at ${JSON.stringify(posOf(value, key))} unsafe ${isUnsafe(value, key)}`);
    out.push(...marksOf((value as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return out;
}

test('positions come back in the file name the run gives', (t) => {
  cacheIn(t);
  const dir = mkdtempSync(join(tmpdir(), 'psd-yaml-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'vars.yaml');
  load('a:\n  b: 1\n', file);
  const rel = load('a:\n  b: 1\n', file);
  assert.equal(rel.parsed, false);
  assert.deepEqual(posOf((rel.value as { a: object }).a, 'b'), { file, line: 2, col: 3 });
});

test('another text, a problem or a secret-named key is parsed each time', (t) => {
  cacheIn(t);
  load('a: 1\n', 'x.yaml');
  assert.equal(load('a: 2\n', 'x.yaml').parsed, true, 'changed text');
  assert.deepEqual(load('a: 2\n', 'x.yaml').value, { a: 2 });
  for (const [text, why] of [
    ['a: [1\n', 'a problem'],
    ['redis_password: hunter2\n', 'a secret-named key'],
    ['nested:\n  - api_token: x\n', 'a nested secret-named key'],
    ['password: "{{ a }}{{ b }}"\n', 'a secret-named key holding more than one name'],
  ]) {
    load(text!, 'y.yaml');
    assert.equal(load(text!, 'y.yaml').parsed, true, why);
  }
  const keyFile = 'ansible_ssh_private_key_file: /root/.ssh/id_ed25519\n';
  load(keyFile, 'z.yaml');
  assert.equal(load(keyFile, 'z.yaml').parsed, false, 'the name of a key file names no secret');
});

test('a damaged entry is parsed again and written anew', (t) => {
  const dir = cacheIn(t);
  load(DOC, 'doc.yaml');
  const [entry] = readdirSync(join(dir, 'yaml'));
  truncateSync(join(dir, 'yaml', entry!), 40);
  const r = load(DOC, 'doc.yaml');
  assert.equal(r.parsed, true);
  assert.deepEqual(r.value, parseYaml(DOC, 'doc.yaml').value);
  assert.equal(load(DOC, 'doc.yaml').parsed, false);
});

for (const open of ['yaml', '.']) {
  test(`a folder other users may write to is not used (${open === '.' ? 'the one holding it' : 'its own'})`, (t) => {
    const dir = cacheIn(t, (root) => {
      mkdirSync(join(root, 'yaml'), { mode: 0o700 });
      chmodSync(join(root, open), 0o777);
    });
    load('a: 1\n', 'x.yaml');
    assert.equal(load('a: 1\n', 'x.yaml').parsed, true);
    assert.deepEqual(readdirSync(join(dir, 'yaml')), []);
  });
}

test('a failed write leaves no file behind, and the parse stands', (t) => {
  const dir = cacheIn(t);
  load('a: 1\n', 'first.yaml');
  const [entry] = readdirSync(join(dir, 'yaml'));
  // Every entry named like the next one is a folder now: the rename onto it fails.
  rmSync(join(dir, 'yaml', entry!));
  mkdirSync(join(dir, 'yaml', entry!));
  writeFileSync(join(dir, 'yaml', entry!, 'x'), '');
  assert.deepEqual(load('a: 1\n', 'first.yaml'), { value: { a: 1 }, parsed: true, sealed: new Map() });
  assert.deepEqual(readdirSync(join(dir, 'yaml')), [entry]);
});

test('the number of entries is bounded: the oldest go', (t) => {
  const dir = cacheIn(t, (root) => {
    mkdirSync(join(root, 'yaml'), { mode: 0o700 });
    const hourAgo = new Date(Date.now() - 3600_000);
    for (let i = 0; i <= YAML_CACHE_LIMITS.entries; i++) {
      writeFileSync(join(root, 'yaml', `old-${i}.v8`), '');
      utimesSync(join(root, 'yaml', `old-${i}.v8`), hourAgo, hourAgo);
    }
  });
  load('a: 1\n', 'x.yaml');
  const left = readdirSync(join(dir, 'yaml'));
  assert.equal(left.length, YAML_CACHE_LIMITS.prunedTo);
  assert.equal(load('a: 1\n', 'x.yaml').parsed, false, 'the newest entry stays');
});

test('PSD_CACHE_DIR=off keeps nothing', (t) => {
  const dir = cacheIn(t);
  process.env.PSD_CACHE_DIR = 'off';
  t.after(() => delete process.env.PSD_CACHE_DIR);
  load('a: 1\n', 'x.yaml');
  assert.equal(load('a: 1\n', 'x.yaml').parsed, true);
  assert.deepEqual(readdirSync(dir), []);
});

test('parseYamlFile: the same result from the parse and from the cache', (t) => {
  cacheIn(t);
  const first = parseYamlFile(DOC, 'p.yaml');
  const again = parseYamlFile(DOC, 'p.yaml');
  assert.deepEqual(again, first);
  assert.deepEqual(parseYamlFile('a: [1\n', 'bad.yaml').problems.length, 1);
});

/** `text` vault-encrypted with `password`, indented as a `!vault |` block under a key. */
function vaulted(text: string, password: string, indent = '  '): string {
  return encryptVault(Buffer.from(text), Buffer.from(password))
    .trimEnd()
    .split('\n')
    .map((l) => indent + l)
    .join('\n');
}

test('vault values are kept closed and opened at their places, merged and aliased copies too', (t) => {
  const dir = cacheIn(t);
  setVaultPasswords([{ id: 'default', source: 'test', password: Buffer.from('pw') }]);
  t.after(() => setVaultPasswords([]));
  const doc = [
    'base: &b',
    '  redis_password: !vault |',
    vaulted('s3cret-one', 'pw', '    '),
    '  other: 1',
    'leaf:',
    '  <<: *b',
    'same: *b',
    'list:',
    '  - !vault |',
    vaulted('s3cret-two', 'pw', '      '),
    'one: &v !vault |',
    vaulted('s3cret-three', 'pw'),
    'two: *v',
    'password: "{{ one }}"',
    '',
  ].join('\n');
  const first = parseYamlFile(doc, 'v.yaml');
  const [entry] = readdirSync(join(dir, 'yaml'));
  const bytes = readFileSync(join(dir, 'yaml', entry!));
  for (const plain of ['s3cret-one', 's3cret-two', 's3cret-three'])
    for (const encoding of ['latin1', 'utf16le'] as const)
      assert.equal(bytes.includes(Buffer.from(plain, encoding)), false, `${plain} kept`);
  assert.ok(bytes.includes(Buffer.from('$ANSIBLE_VAULT', 'latin1')), 'the entry holds the ciphertext');
  const again = load(doc, 'v.yaml');
  assert.equal(again.parsed, false, 'the second load came from the cache');
  const second = { problems: openSealed(again.sealed), value: again.value };
  const want = {
    base: { redis_password: 's3cret-one', other: 1 },
    leaf: { redis_password: 's3cret-one', other: 1 },
    same: { redis_password: 's3cret-one', other: 1 },
    list: ['s3cret-two'],
    one: 's3cret-three',
    two: 's3cret-three',
    password: '{{ one }}',
  };
  assert.deepEqual(first, { problems: [], value: want });
  assert.deepEqual(second, { problems: [], value: want });
  assert.deepEqual(parseYamlFile(doc, 'v.yaml'), { problems: [], value: want });

  // A wrong password fails once per value written, at its position, from the parse and from the
  // cache alike; the values' copies are left undefined.
  setVaultPasswords([{ id: 'default', source: 'test', password: Buffer.from('wrong') }]);
  const fresh = parseYaml(doc, 'v.yaml');
  const kept = parseYamlFile(doc, 'v.yaml');
  assert.deepEqual(kept, fresh);
  assert.deepEqual(
    kept.problems.map((p) => `${p.pos?.file}:${p.pos?.line}:${p.pos?.col}`),
    ['v.yaml:2:26', 'v.yaml:14:12', 'v.yaml:21:16'],
  );
  assert.deepEqual((kept.value as typeof want).leaf, { redis_password: undefined, other: 1 });
});

test('a document that is a vault value alone is opened and never kept', (t) => {
  const dir = cacheIn(t);
  setVaultPasswords([{ id: 'default', source: 'test', password: Buffer.from('pw') }]);
  t.after(() => setVaultPasswords([]));
  const doc = `!vault |\n${vaulted('s3cret-alone', 'pw')}\n`;
  assert.deepEqual(parseYamlFile(doc, 'alone.yaml'), { value: 's3cret-alone', problems: [] });
  assert.deepEqual(parseYamlFile(doc, 'alone.yaml').value, 's3cret-alone');
  assert.deepEqual(existsSync(join(dir, 'yaml')) ? readdirSync(join(dir, 'yaml')) : [], []);
});

test('a vault-encrypted file is never kept', (t) => {
  const dir = cacheIn(t);
  setVaultPasswords([{ id: 'default', source: 'test', password: Buffer.from('pw') }]);
  t.after(() => setVaultPasswords([]));
  const file = join(dir, 'secrets.yaml');
  writeFileSync(file, encryptVault(Buffer.from('api_key: s3cret\n'), Buffer.from('pw')));
  assert.deepEqual(loadYamlFile(file), { value: { api_key: 's3cret' }, problems: [] });
  assert.deepEqual(loadYamlFile(file).value, { api_key: 's3cret' });
  assert.deepEqual(existsSync(join(dir, 'yaml')) ? readdirSync(join(dir, 'yaml')) : [], []);
});
