// Where the installed package keeps its compiled modules and its templates.
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** dist/src/cli/paths.js → the package root. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const MODULES_DIR = resolve(PACKAGE_ROOT, 'dist/modules');
export const TEMPLATES_DIR = resolve(PACKAGE_ROOT, 'templates');
