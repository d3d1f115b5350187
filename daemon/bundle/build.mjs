// Builds the self-contained portsyncd artifact for linux-x64 switches, which have no Node.js:
//   bin/node                       the Node runtime running this script, stripped
//   bin/portsyncd                  the daemon's launcher (daemon/bin/portsyncd: its V8 flags)
//   lib/portsyncd.mjs              the daemon and its dependencies, one esbuild bundle
//   lib/portsyncd_netlink.node     the netlink addon (found beside the entry script)
//   MANIFEST                       sha256 of every file above
// packed reproducibly (sorted entries, fixed mtimes, no owners, gzip without a name or time)
// as build/portsyncd/portsyncd-<sha256 prefix>.tar.gz; build/portsyncd/LATEST names it.
// An unchanged daemon and runtime give the same file, hence the same version.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = join(root, 'daemon/dist/main.js');
const launcher = join(root, 'daemon/bin/portsyncd');
const outDir = join(root, 'build/portsyncd');
const stage = join(outDir, 'stage');
const ADDON = 'portsyncd_netlink.node';
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

/** The running Node, without its debug symbols when binutils' strip is there (99 -> 86 MB). */
function copyNode(dest) {
  const r = spawnSync('strip', ['--strip-all', '-o', dest, process.execPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error || r.status !== 0) {
    console.warn(`bundle: strip unavailable (${r.error?.message ?? r.stderr}); shipping node with its symbols`);
    copyFileSync(process.execPath, dest);
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the artifact targets linux-x64; this is ${process.platform}-${process.arch}`);
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
    banner: { js: "import { createRequire as __psdCreateRequire } from 'node:module'; const require = __psdCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  copyNode(join(stage, 'bin/node'));
  copyFileSync(addonPath(), join(stage, 'lib', ADDON));
  copyFileSync(launcher, join(stage, 'bin/portsyncd'));
  for (const f of ['bin/node', 'bin/portsyncd', 'lib/' + ADDON]) chmodSync(join(stage, f), 0o755);
  chmodSync(join(stage, 'lib/portsyncd.mjs'), 0o644);

  const files = ['bin/node', 'bin/portsyncd', 'lib/portsyncd.mjs', 'lib/' + ADDON];
  const manifest = files.map((f) => `${sha256(readFileSync(join(stage, f)))}  ${f}\n`).join('') + `node ${process.version}\n`;
  writeFileSync(join(stage, 'MANIFEST'), manifest, { mode: 0o644 });
  chmodSync(join(stage, 'MANIFEST'), 0o644);
  for (const d of ['.', 'bin', 'lib']) chmodSync(join(stage, d), 0o755);

  const tar = sh(['tar', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', stage, '-cf', '-', '.']);
  const gz = sh(['gzip', '-n', '-6'], { input: tar, stdio: ['pipe', 'pipe', 'inherit'] });
  const version = sha256(gz).slice(0, VERSION_DIGITS);
  const name = `portsyncd-${version}.tar.gz`;
  for (const old of readdirSync(outDir)) if (/^portsyncd-[0-9a-f]+\.tar\.gz$/.test(old) && old !== name) rmSync(join(outDir, old));
  writeFileSync(join(outDir, name + '.tmp'), gz);
  renameSync(join(outDir, name + '.tmp'), join(outDir, name));
  writeFileSync(join(outDir, 'LATEST'), name + '\n');
  rmSync(stage, { recursive: true, force: true });
  console.log(`${join(outDir, name)} (${(gz.length / 1e6).toFixed(1)} MB, ${(tar.length / 1e6).toFixed(1)} MB unpacked)`);
}

main().catch((err) => {
  console.error(`bundle: ${err.message}`);
  process.exit(1);
});
