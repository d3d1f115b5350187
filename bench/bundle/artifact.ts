// The artifact's two possible shapes, side by side: the shipped one (Node runtime + bundle folder)
// and a Node single executable application (SEA, via postject) of the same daemon.
//   node dist/bench/bundle/artifact.js [--runs 11]
// Per shape: archive size (gzip -6), unpacked size, and start-up time (spawn until the daemon
// logs "portsyncd started", Redis pointed at a closed port so nothing else is waited for),
// median of the runs. Also checks that two bundle builds give the same hash. Writes JSON.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 11;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function ok(argv: string[], opts: { cwd?: string; input?: Buffer } = {}): Buffer {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function bundleOnce(): { name: string; seconds: number } {
  const t = Date.now();
  ok(['npm', 'run', '--silent', 'bundle'], { cwd: REPO });
  return { name: readFileSync(join(REPO, 'build/portsyncd/LATEST'), 'utf8').trim(), seconds: (Date.now() - t) / 1000 };
}

/** Milliseconds from spawn to the "portsyncd started" log line. */
function startup(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"portsyncd started"')) {
        resolve(Number(process.hrtime.bigint() - t) / 1e6);
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code) => code !== null && reject(new Error(`${argv.join(' ')} exited ${code}: ${err}`)));
  });
}

async function measure(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await startup(argv, env));
  return median(xs);
}

async function sea(dir: string, addon: string): Promise<string> {
  // SEA runs one CommonJS script whose require() sees only builtins; the addon is loaded
  // through a require rooted at the executable.
  await build({
    entryPoints: [join(REPO, 'daemon/dist/main.js')],
    outfile: join(dir, 'sea.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    define: { 'import.meta.url': '__psdUrl' },
    banner: { js: "const __psdUrl = require('node:url').pathToFileURL(process.execPath).href;" },
    logLevel: 'error',
  });
  writeFileSync(
    join(dir, 'sea.json'),
    JSON.stringify({ main: join(dir, 'sea.cjs'), output: join(dir, 'sea.blob'), disableExperimentalSEAWarning: true }),
  );
  ok([process.execPath, '--experimental-sea-config', join(dir, 'sea.json')]);
  const exe = join(dir, 'sea/portsyncd');
  mkdirSync(join(dir, 'sea'));
  ok(['strip', '--strip-all', '-o', exe, process.execPath]); // as the bundle ships node
  ok([
    'npx',
    '--yes',
    'postject@1.0.0-alpha.6',
    exe,
    'NODE_SEA_BLOB',
    join(dir, 'sea.blob'),
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ]);
  copyFileSync(addon, join(dir, 'sea/portsyncd_netlink.node'));
  return exe;
}

async function main(): Promise<void> {
  const first = bundleOnce();
  const second = bundleOnce();
  const dir = mkdtempSync(join(tmpdir(), 'psd-bench-bundle-'));
  try {
    const archive = join(REPO, 'build/portsyncd', second.name);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    ok(['tar', '-xzf', archive, '-C', folder]);
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'redis: {port: 1}\nhttp: {port: 0}\nstate_file: ' + join(dir, 'state.json') + '\n');
    const unpacked = (p: string) => Number(ok(['du', '-sb', p]).toString().split('\t')[0]);

    const exe = await sea(dir, join(folder, 'lib/portsyncd_netlink.node'));
    const seaGz = ok(['gzip', '-6'], { input: ok(['tar', '-C', join(dir, 'sea'), '-cf', '-', '.']) }).length;

    const result = {
      date: new Date().toISOString(),
      node: process.version,
      runs,
      reproducible: first.name === second.name,
      bundleSeconds: [first.seconds, second.seconds],
      folder: {
        archive: second.name,
        archiveBytes: statSync(archive).size,
        unpackedBytes: unpacked(folder),
        startupMsMedian: await measure([join(folder, 'bin/node'), join(folder, 'lib/portsyncd.mjs'), '--config', config]),
      },
      sea: {
        archiveBytes: seaGz,
        unpackedBytes: unpacked(join(dir, 'sea')),
        startupMsMedian: await measure([exe, '--config', config], { PORTSYNCD_ADDON: join(dir, 'sea/portsyncd_netlink.node') }),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(REPO, 'bench/results'), { recursive: true });
    writeFileSync(join(REPO, `bench/results/bundle-${result.date.replace(/:/g, '-')}.json`), JSON.stringify(result, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
