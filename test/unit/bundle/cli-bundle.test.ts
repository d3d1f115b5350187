// The one-file CLI bundle that bin/portsync-deploy.js runs: complete (every module linked in,
// every schema precompiled) and equal in behaviour to the tsc output it is built from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE_V8_FLAGS, codeCachePath } from '../../../src/bundle/cached-script.js';
import { loadModuleRegistry } from '../../../src/modules-registry.js';
import { schemaKey } from '../../../src/validate/ajv.js';
import { importSchema, playSchema, taskKeywordsSchema } from '../../../src/validate/playbook-schema.js';
import { inventorySchema } from '../../../src/validate/inventory-schema.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BUNDLE = join(REPO, 'dist/cli/portsync-deploy.cjs');

test('the bundle is built with the package, with a code cache this Node takes', () => {
  assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: npm run build makes it`);
  assert.ok(existsSync(codeCachePath(BUNDLE)), `${codeCachePath(BUNDLE)} is missing: npm run build makes it`);
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { loadCached } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'dist/src/bundle/cached-script.js')).href)});
       const { exports, cached } = loadCached(${JSON.stringify(BUNDLE)});
       console.log(JSON.stringify({ cached, main: typeof exports.main }));`,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.deepEqual(JSON.parse(r.stdout.trim()), { cached: true, main: 'function' }, r.stderr);
});

test("loading the bundle loads none of Node's crypto, child_process, fs/promises and readline: each loads on first use", (t) => {
  // A script file: `node -e` loads crypto itself.
  const dir = mkdtempSync(join(tmpdir(), 'psd-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'load.cjs');
  writeFileSync(
    script,
    `const lazy = / (crypto|child_process|fs\\/promises|readline\\/promises)$/;
       const loaded = () => process.moduleLoadList.filter((m) => lazy.test(m));
       const { main } = require(${JSON.stringify(join(REPO, 'dist/cli/cached-script.cjs'))}).loadCached(${JSON.stringify(BUNDLE)}).exports;
       const before = loaded();
       main(['vault', 'encrypt_string', '--name', 'token', 'not-a-real-secret']).then(() => console.log(JSON.stringify({ before, after: loaded() })));`,
  );
  const r = spawnSync(process.execPath, [script], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, PORTSYNC_VAULT_PASSWORD: 'example-only' },
  });
  const { before, after } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { before: string[]; after: string[] };
  assert.deepEqual(before, [], r.stderr);
  assert.ok(after.includes('NativeModule crypto'), `encrypting a value reads from crypto, which then loads: ${after.join(', ')}`);
});

test('every module schema and every engine schema has build-time validator code', async () => {
  const table = (await import(pathToFileURL(join(REPO, 'dist/generated/validators.mjs')).href)) as Record<string, unknown>;
  const registry = await loadModuleRegistry(join(REPO, 'dist/modules'));
  const schemas: [string, object][] = [
    ...registry.names().map((n): [string, object] => [`module ${n}`, registry.get(n)!.schema]),
    ['play', playSchema],
    ['import', importSchema],
    ['task keywords', taskKeywordsSchema],
    ['inventory', inventorySchema],
  ];
  for (const [what, schema] of schemas)
    assert.equal(typeof table[`v${schemaKey(schema)}`], 'function', `${what} has no precompiled validator`);
});

test('the bundle reports the same located schema problems as the tsc output', () => {
  const args = ['validate', 'test/fixtures/bad/wrong-types/site.yaml', '-i', 'test/fixtures/bad/wrong-types/inventory'];
  const viaBundle = spawnSync(process.execPath, [join(REPO, 'bin/portsync-deploy.js'), ...args], { cwd: REPO, encoding: 'utf8' });
  const viaTsc = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { main } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'dist/src/cli.js')).href)}); process.exitCode = await main(${JSON.stringify(args)});`,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(viaBundle.status, 3, viaBundle.stderr);
  assert.equal(viaBundle.stderr, viaTsc.stderr);
  assert.equal(viaBundle.stdout, viaTsc.stdout);
});

test('validating a playbook does not load the SSH client: none of the Node modules only it brings (http, tls, zlib)', () => {
  const args = ['validate', 'test/fixtures/bad/wrong-types/site.yaml', '-i', 'test/fixtures/bad/wrong-types/inventory'];
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { main } = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(BUNDLE)});
       await main(${JSON.stringify(args)});
       console.log(JSON.stringify(process.moduleLoadList.filter((m) => / (http|tls|zlib)$/.test(m))));`,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), [], r.stderr);
});

/** What `report` (a JS expression) says after a check run of the site playbook from the bundle,
 *  against a port that refuses every connection: it loads the SSH client, as a real run does. */
function afterCheckRun(report: string): string | undefined {
  const server = `const s = require('node:net').createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => console.log(port)); });`;
  const port = spawnSync(process.execPath, ['-e', server], { encoding: 'utf8' }).stdout.trim();
  const args = [
    'playbooks/site.yaml',
    '--check',
    '-i',
    'inventories/example-dc1',
    '--vault-password-file',
    'inventories/example-dc1/example-only-vault-password.txt',
    '-e',
    'ansible_host=127.0.0.1',
    '-e',
    `ansible_port=${port}`,
    '-e',
    'connect_retries=0',
  ];
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { loadCached } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'dist/src/bundle/cached-script.js')).href)});
       const { main } = loadCached(${JSON.stringify(BUNDLE)}).exports;
       await main(${JSON.stringify(args)});
       console.log(JSON.stringify(${report}));`,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').at(-1);
}

test("the bundle's SSH client loads ssh2's native crypto binding when ssh2 has one built", (t) => {
  const fromSsh2 = createRequire(createRequire(BUNDLE).resolve('ssh2'));
  try {
    fromSsh2.resolve('./protocol/crypto/build/Release/sshcrypto.node');
  } catch {
    return t.skip('ssh2 was installed without its native binding (no compiler at install)');
  }
  assert.equal(afterCheckRun(`process.report.getReport().sharedObjects.filter((f) => f.endsWith('/sshcrypto.node')).length`), '1');
});

test("the bundle's SSH client loads none of Node's http, https and tls (ssh2's server and HTTP agents stay out)", () => {
  assert.equal(afterCheckRun(`process.moduleLoadList.filter((m) => / (http|https|tls)$/.test(m))`), '[]');
});

test('the bundle runs under its V8 flags, as a Node started with them on its command line', () => {
  const tag = (flags: string[], script: string) =>
    spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  // V8's cached-data tag is derived from its version and its flags.
  const started = tag(BUNDLE_V8_FLAGS, `console.log((await import('node:v8')).cachedDataVersionTag())`);
  const plain = tag([], `console.log((await import('node:v8')).cachedDataVersionTag())`);
  const loaded = tag(
    [],
    `const { loadCached } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'dist/src/bundle/cached-script.js')).href)});
     loadCached(${JSON.stringify(BUNDLE)});
     console.log((await import('node:v8')).cachedDataVersionTag());`,
  );
  assert.notEqual(plain.stdout.trim(), started.stdout.trim(), 'the flags change nothing V8 keys its code cache by');
  assert.equal(loaded.stdout.trim().split('\n').at(-1), started.stdout.trim(), loaded.stderr);
});
