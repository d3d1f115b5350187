// Where the installed package keeps its compiled modules and its templates.
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

export { PACKAGE_ROOT };
export const MODULES_DIR = resolve(PACKAGE_ROOT, 'dist/modules');
export const TEMPLATES_DIR = resolve(PACKAGE_ROOT, 'templates');
