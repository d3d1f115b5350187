// The installed package's root folder, found from this file's location. Walking up to the
// package.json (instead of a fixed "../..") keeps it right both for the tsc output
// (dist/src/…) and for the one-file CLI bundle (dist/cli/portsync-deploy.cjs).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'playbooks'))) return dir;
    if (dirname(dir) === dir) throw new Error(`portsync-deploy's package root was not found above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The package's own templates (modules' Handlebars files), where templates_dir does not point elsewhere. */
export const TEMPLATES_DIR = resolve(PACKAGE_ROOT, 'templates');
