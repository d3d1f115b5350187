// A CommonJS file run with V8's code cache: the bytecode V8 made for it at build time, so a start
// skips parsing and compiling it. Node 20 has no code cache for ES modules, hence CommonJS.
// The cache is named by the V8 version and architecture that made it; a Node without its own
// cache, or a cache V8 rejects (other flags), compiles the file as usual.
import { isAscii } from 'node:buffer';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/** A run is short and its hot code changes from phase to phase: V8's optimising compiler spent
 *  more CPU compiling (on this machine's cores, beside the switches' sshd) than its code saved.
 *  Four times V8's interrupt budget (67584 bytes of bytecode in Node 20) leaves TurboFan the code
 *  that stays hot, as 1,000 planned hosts need. The code cache is made under the same flags, as
 *  V8 takes a cache only from a run with equal flags. */
export const BUNDLE_V8_FLAGS = ['--interrupt-budget=270336'];

/** Where the code cache of `file` for this Node's V8 lives. */
export function codeCachePath(file: string): string {
  return `${file}.v8-${process.versions.v8}-${process.arch}.cache`;
}

/** The file's text. An ASCII file (esbuild's output escapes every other character) becomes a
 *  one-byte string without UTF-8 decoding: about a third less time for the 3 MB bundle. */
function sourceText(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

function compile(file: string, cachedData?: Buffer): vm.Script {
  for (const flag of BUNDLE_V8_FLAGS) v8.setFlagsFromString(flag);
  // The wrapper Node puts around a CommonJS module, so the file runs as `require` would run it.
  const source = `(function (exports, require, module, __filename, __dirname) {${sourceText(file)}\n})`;
  return new vm.Script(source, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Node's modules that a start reaches only after its first connections (crypto: SSH, and vault
 *  keys where there are vault values; child_process: local runs and password scripts; readline:
 *  --step), if at all. Loading them with the bundle took about 7 ms before the first dial. */
const LOADED_ON_FIRST_USE = new Set([
  'crypto',
  'node:crypto',
  'child_process',
  'node:child_process',
  'node:fs/promises',
  'node:readline/promises',
]);

/** A stand-in for a module, which loads it when code first reads from it: esbuild's output reads
 *  an imported member at each use (`mod.name(...)`), so code that imports one loads nothing until
 *  it calls. */
function onFirstUse(load: () => object): object {
  let loaded: object | undefined;
  const real = () => (loaded ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(real(), key),
      set: (_, key, value) => Reflect.set(real(), key, value),
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      // The stand-in's own target has none of these keys, so each is reported as configurable.
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** `require` for code in `file`, with the modules above loaded on first use. */
function requireFor(file: string): NodeRequire {
  const plain = createRequire(file);
  const standIns = new Map<string, object>();
  const require = (id: string): unknown => {
    if (!LOADED_ON_FIRST_USE.has(id)) return plain(id);
    let standIn = standIns.get(id);
    if (!standIn) standIns.set(id, (standIn = onFirstUse(() => plain(id) as object)));
    return standIn;
  };
  return Object.assign(require, plain);
}

function run(script: vm.Script, file: string): unknown {
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, requireFor(file), module, file, dirname(file));
  return module.exports;
}

/** The exports of CommonJS `file`, compiled from its code cache when there is one for this V8
 *  (`cached`: V8 took it). */
export function loadCached(file: string): { exports: unknown; cached: boolean } {
  const cache = codeCachePath(file);
  const script = compile(file, existsSync(cache) ? readFileSync(cache) : undefined);
  return { exports: run(script, file), cached: existsSync(cache) && !script.cachedDataRejected };
}

/** Runs `file`, then `exercise` on its exports, and writes the code cache of everything that
 *  compiled: what a typical run calls starts compiled too. */
export async function writeCodeCache(file: string, exercise: (exports: unknown) => Promise<unknown>): Promise<void> {
  const script = compile(file);
  await exercise(run(script, file));
  writeFileSync(codeCachePath(file), script.createCachedData());
}
