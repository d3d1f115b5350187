// Where the worker bundle lives: beside this file in dist/bench/load.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOAD_DIR = resolve(fileURLToPath(import.meta.url), '..');
export const WORKER_BUNDLE = join(LOAD_DIR, 'worker.cjs');
