// Builds dist/cli/portsync-deploy.cjs, the one-file CLI that bin/portsync-deploy.js runs: the
// engine, every module of modules/ linked in (no folder scan at start-up), and every args,
// inventory and playbook schema compiled to ajv standalone code (no schema compiling at start-up).
// Code that only some runs need (SSH, the queue, the HTML report) is initialised on first use.
// Beside it, V8's code cache of the file (src/bundle/cached-script.ts), so a start compiles none
// of what a run needs up to its first connections.
// Run after tsc: `node dist/src/bundle/build-cli.js`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import standalone from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { writeCodeCache } from './cached-script.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { loadModuleRegistry } from '../modules-registry.js';
import { createAjv, schemaKey } from '../validate/ajv.js';
import { GENERATED, VALIDATORS, bundleEngine, linkedEngine } from './engine-bundle.js';

const DIST = join(PACKAGE_ROOT, 'dist');
const OUT = join(DIST, 'cli');
const CODE_CACHE_FLAG = '--code-cache';

/** Engine schemas live in src/validate/*-schema.ts, exported as `…Schema`. */
async function engineSchemas(): Promise<object[]> {
  const dir = join(DIST, 'src/validate');
  const files = readdirSync(dir).filter((f) => f.endsWith('-schema.js'));
  const exported = await Promise.all(files.map(async (f) => (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>));
  return exported.flatMap((m) =>
    Object.entries(m)
      .filter(([name, v]) => name.endsWith('Schema') && typeof v === 'object' && v !== null)
      .map(([, v]) => v as object),
  );
}

function validatorsModule(schemas: object[]): string {
  const ajv = createAjv();
  ajv.opts.code.source = true;
  ajv.opts.code.esm = true;
  const refs: Record<string, string> = {};
  for (const schema of schemas) {
    const key = schemaKey(schema);
    if (refs[`v${key}`]) continue;
    ajv.addSchema(schema, key);
    refs[`v${key}`] = key;
  }
  // ajv's ES module output still require()s its runtime helpers; make them imports.
  const helpers = new Map<string, string>();
  const code = standalone.default(ajv, refs).replace(/require\("(ajv\/dist\/runtime\/[\w-]+)"\)\.default/g, (_, spec: string) => {
    if (!helpers.has(spec)) helpers.set(spec, `runtime${helpers.size}`);
    return helpers.get(spec)!;
  });
  const imports = [...helpers].map(
    ([spec, name]) => `import ${name}Module from '${spec}.js';\nconst ${name} = ${name}Module.default ?? ${name}Module;`,
  );
  return [...imports, code].join('\n');
}

function entryModule(moduleNames: string[]): string {
  const lines = [
    `import { main, internalError } from './${relative(GENERATED, join(DIST, 'src/cli.js')).split('\\').join('/')}';`,
    ...linkedEngine(GENERATED, moduleNames),
    `export { main, internalError };`,
  ];
  return lines.join('\n') + '\n';
}

/** The bundle's loader as CommonJS, for bin/portsync-deploy.js: Node starts a CommonJS entry
 *  without its ES module loader, about 4 ms sooner. */
async function loaderAsCommonJs(entry: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entry], outfile, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' });
}

async function main(): Promise<void> {
  const registry = await loadModuleRegistry(join(DIST, 'modules'));
  const names = registry.names();
  const schemas = [...names.map((n) => registry.get(n)!.schema), ...(await engineSchemas())];
  rmSync(GENERATED, { recursive: true, force: true });
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(GENERATED, { recursive: true });
  writeFileSync(VALIDATORS, validatorsModule(schemas));
  writeFileSync(join(GENERATED, 'entry.mjs'), entryModule(names));
  const cli = join(OUT, 'portsync-deploy.cjs');
  await bundleEngine(join(GENERATED, 'entry.mjs'), cli);
  await loaderAsCommonJs(join(DIST, 'src/bundle/cached-script.js'), join(OUT, 'cached-script.cjs'));
  // A child process makes the cache, so that its output (a validate run's) stays out of the build's.
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), CODE_CACHE_FLAG, cli], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`making the code cache of ${cli} failed (exit ${r.status})`);
}

/** The cache holds what a validate of the site playbook on the example inventory compiled:
 *  loading, schemas, vars and rendering, as every run starts; then what a check run of it
 *  compiles up to its first connections (the SSH transport), every host pointed at a port on
 *  127.0.0.1 that refuses them, so nothing is contacted. */
async function exerciseCli(cli: unknown): Promise<void> {
  const { main } = cli as { main: (argv: string[]) => Promise<number> };
  const inventory = join(PACKAGE_ROOT, 'inventories/example-dc1');
  const vault = ['--vault-password-file', join(inventory, 'example-only-vault-password.txt')];
  const site = join(PACKAGE_ROOT, 'playbooks/site.yaml');
  await main(['validate', site, '-i', inventory, ...vault]);
  const refused = ['-e', 'ansible_host=127.0.0.1', '-e', `ansible_port=${await closedPort()}`, '-e', 'connect_retries=0'];
  await main([site, '--check', '-i', inventory, ...vault, ...refused]);
}

/** A port on 127.0.0.1 that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

if (process.argv[2] === CODE_CACHE_FLAG) await writeCodeCache(process.argv[3]!, exerciseCli);
else await main();
