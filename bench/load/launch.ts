// One pass in a fresh process, as the bin starts the CLI: the worker bundle from its code cache.
//   node dist/bench/load/launch.js PLAYBOOK INVENTORY   (prints one JSON line)
import { loadCached } from '../../src/bundle/cached-script.js';
import { WORKER_BUNDLE } from './worker-path.js';
import type { planOffline } from './worker.js';

const [playbook, inventory] = process.argv.slice(2);
const { exports, cached } = loadCached(WORKER_BUNDLE);
const result = await (exports as { planOffline: typeof planOffline }).planOffline(playbook!, inventory!);
console.log(JSON.stringify({ ...result, codeCache: cached }));
