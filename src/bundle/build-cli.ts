// Builds dist/portsync-deploy.mjs, the one-file CLI that bin/portsync-deploy.js runs: the engine,
// every module of modules/ linked in (no folder scan at start-up), and every args, inventory and
// playbook schema compiled to ajv standalone code (no schema compiling at start-up). Code that only
// some runs need (SSH, the lab) stays in chunks of its own, loaded on first use.
// Run after tsc: `node dist/src/bundle/build-cli.js`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import standalone from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { PACKAGE_ROOT } from '../package-root.js';
import { loadModuleRegistry } from '../modules-registry.js';
import { createAjv, schemaKey } from '../validate/ajv.js';

const DIST = join(PACKAGE_ROOT, 'dist');
const GENERATED = join(DIST, 'generated');
const OUT = join(DIST, 'cli');

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
  const rel = (p: string) => './' + relative(GENERATED, p).split('\\').join('/');
  const lines = [
    `import { main, internalError } from '${rel(join(DIST, 'src/cli.js'))}';`,
    `import { useBundledModules } from '${rel(join(DIST, 'src/modules-registry.js'))}';`,
    `import { usePrecompiledValidators } from '${rel(join(DIST, 'src/validate/ajv.js'))}';`,
    `import * as validators from './validators.mjs';`,
    ...moduleNames.map((name, i) => `import m${i} from '${rel(join(DIST, 'modules', name, 'index.js'))}';`),
    `useBundledModules([${moduleNames.map((_, i) => `m${i}`).join(', ')}]);`,
    `usePrecompiledValidators(new Map(Object.entries(validators).map(([k, v]) => [k.slice(1), v])));`,
    `export { main, internalError };`,
  ];
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const registry = await loadModuleRegistry(join(DIST, 'modules'));
  const names = registry.names();
  const schemas = [...names.map((n) => registry.get(n)!.schema), ...(await engineSchemas())];
  rmSync(GENERATED, { recursive: true, force: true });
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(GENERATED, { recursive: true });
  writeFileSync(join(GENERATED, 'validators.mjs'), validatorsModule(schemas));
  writeFileSync(join(GENERATED, 'entry.mjs'), entryModule(names));
  await build({
    entryPoints: { 'portsync-deploy': join(GENERATED, 'entry.mjs') },
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ssh2's optional native speed-ups: loaded by require() in a try, absent is fine.
    external: ['cpu-features', '*.node'],
    // CommonJS dependencies use require() and __dirname; an ES module has neither of its own.
    banner: {
      js: [
        "import { createRequire as __psdRequire } from 'node:module';",
        "import { dirname as __psdDirname } from 'node:path';",
        "import { fileURLToPath as __psdPath } from 'node:url';",
        'const require = __psdRequire(import.meta.url);',
        'const __filename = __psdPath(import.meta.url);',
        'const __dirname = __psdDirname(__filename);',
      ].join(' '),
    },
    logLevel: 'warning',
    legalComments: 'none',
    minify: true,
    keepNames: true,
  });
}

await main();
