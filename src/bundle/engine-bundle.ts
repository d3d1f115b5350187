// What every one-file bundle of the engine shares: every module of modules/ linked in (no folder
// scan at start-up), every schema validated by the code ajv standalone made at build time, and
// one esbuild configuration, so that a benchmark bundle runs the code the CLI ships.
import { join, relative, resolve, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { PACKAGE_ROOT } from '../package-root.js';
import { loadModuleRegistry } from '../modules-registry.js';

const DIST = join(PACKAGE_ROOT, 'dist');
export const GENERATED = join(DIST, 'generated');
/** The build-time validators, written by build-cli before any bundle is made. */
export const VALIDATORS = join(GENERATED, 'validators.mjs');

/** Names of the modules in dist/modules, in the order the registry lists them. */
export async function moduleNames(): Promise<string[]> {
  return (await loadModuleRegistry(join(DIST, 'modules'))).names();
}

/** Lines of an entry module in `dir` that link in the modules and the build-time validators. */
export function linkedEngine(dir: string, names: string[]): string[] {
  const rel = (p: string) => './' + relative(dir, p).split('\\').join('/');
  return [
    `import { useBundledModules } from '${rel(join(DIST, 'src/modules-registry.js'))}';`,
    `import { usePrecompiledValidators } from '${rel(join(DIST, 'src/validate/ajv.js'))}';`,
    `import * as validators from '${rel(VALIDATORS)}';`,
    ...names.map((name, i) => `import m${i} from '${rel(join(DIST, 'modules', name, 'index.js'))}';`),
    `useBundledModules([${names.map((_, i) => `m${i}`).join(', ')}]);`,
    `usePrecompiledValidators(new Map(Object.entries(validators).map(([k, v]) => [k.slice(1), v])));`,
  ];
}

/** Bundles `entry` (an ES module of the tsc output) into one CommonJS file. */
export async function bundleEngine(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    // One CommonJS file: Node 20 keeps a code cache for CommonJS only (vm.Script's cachedData).
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // ssh2's optional native speed-ups: loaded by require() in a try, absent is fine. BullMQ (with
    // ioredis, luxon, msgpackr: 1.5 MB, nearly half the file) serves only the queue's runs and
    // workers, which load it from node_modules: every other start reads that much less.
    external: ['cpu-features', 'bullmq'],
    plugins: [nativeAddonsByPackagePath],
    // The sources find the package from their own location (src/package-root.ts).
    define: { 'import.meta.url': '__psdModuleUrl' },
    banner: { js: "const __psdModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
    legalComments: 'none',
    // Names stay as written, without keepNames: its per-closure name setting made planning 1,000
    // hosts about 20% slower (closures made per host and task). The code cache makes a smaller
    // file (renamed identifiers) no faster to start.
    minifyWhitespace: true,
    minifySyntax: true,
  });
}

/** A package's native addon (`require('./build/Release/x.node')`) stays outside the bundle, named
 *  by its path inside its package (`ssh2/lib/…/x.node`): a path relative to the package's own file
 *  would be looked up beside the bundle, where it is not, and the package would silently run its
 *  slower JavaScript fallback (ssh2: every packet's AES-GCM through a new Node cipher). */
const nativeAddonsByPackagePath: Plugin = {
  name: 'native-addons-by-package-path',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      const marker = `${sep}node_modules${sep}`;
      const at = file.lastIndexOf(marker);
      if (at < 0) return { errors: [{ text: `native addon ${args.path} is not inside a package: it cannot be found from the bundle` }] };
      return {
        path: file
          .slice(at + marker.length)
          .split(sep)
          .join('/'),
        external: true,
      };
    });
  },
};
