// The load benchmark's worker as one CommonJS file with its V8 code cache, built as the CLI's
// bundle is (src/bundle/engine-bundle.ts), so a pass starts and runs as `portsync-deploy` does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCodeCache } from '../../src/bundle/cached-script.js';
import { bundleEngine, linkedEngine, moduleNames } from '../../src/bundle/engine-bundle.js';
import { writeFleet } from './inventory.js';
import type { planOffline } from './worker.js';
import { LOAD_DIR, WORKER_BUNDLE } from './worker-path.js';

/** Builds WORKER_BUNDLE and its code cache (made on a small fleet of the same shape). */
export async function bundleWorker(playbook: string): Promise<void> {
  const entry = join(LOAD_DIR, 'worker-entry.mjs');
  writeFileSync(entry, [...linkedEngine(LOAD_DIR, await moduleNames()), `export { planOffline } from './worker.js';`].join('\n') + '\n');
  await bundleEngine(entry, WORKER_BUNDLE);
  const dir = mkdtempSync(join(tmpdir(), 'psd-load-cache-'));
  try {
    writeFleet(dir, 40, 4);
    await writeCodeCache(WORKER_BUNDLE, (m) => (m as { planOffline: typeof planOffline }).planOffline(playbook, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
