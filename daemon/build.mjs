// Builds the daemon: the N-API netlink addon (node-gyp), then the TypeScript.
// Node headers come from the running node's install prefix when present
// (distribution packages put them in <prefix>/include/node), else node-gyp
// fetches the headers matching process.version.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = resolve(dirname(process.execPath), '..');

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error('node-gyp not found: install npm (it bundles node-gyp) or set npm_config_node_gyp');
  return found;
}

function run(argv, cwd) {
  const r = spawnSync(process.execPath, argv, { cwd, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const gypArgs = [nodeGyp(), 'rebuild', '--silent'];
if (existsSync(join(prefix, 'include/node/node_api.h'))) gypArgs.push(`--nodedir=${prefix}`);
run(gypArgs, join(here, 'native'));
run([join(here, '../node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')], here);
