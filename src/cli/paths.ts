// Where the installed package keeps its compiled modules and its templates.
import { resolve } from 'node:path';
import { PACKAGE_ROOT, TEMPLATES_DIR } from '../package-root.js';

export { PACKAGE_ROOT, TEMPLATES_DIR };
export const MODULES_DIR = resolve(PACKAGE_ROOT, 'dist/modules');
