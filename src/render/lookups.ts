// lookup('env'|'file'|'template', …) on the control machine, as Ansible resolves them: files from
// the playbook's files/ (then its folder), templates from its templates/ (then its folder).
import { join, resolve } from 'node:path';
import { noSuchFile, readRegular } from '../read-regular.js';
import { str } from './expr-values.js';
import { renderJinjaFile } from './jinja-file.js';
import { findFile, searchFolders } from './search-path.js';

const MAX_BYTES = 1024 * 1024;

function find(term: string, vars: Record<string, unknown>, sub: string): string {
  const known = searchFolders(vars, sub, term);
  const folders = known.length ? known : [join(process.cwd(), sub), process.cwd()];
  const file = findFile(folders.map((folder) => resolve(folder, term)));
  if (file) return file;
  throw new Error(noSuchFile(term, folders));
}

function read(path: string): string {
  try {
    return readRegular(path, MAX_BYTES);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function lookupPlugin(plugin: string, terms: unknown[], vars: Record<string, unknown>): unknown {
  const term = str(terms[0]);
  switch (plugin) {
    case 'env':
      return process.env[term] ?? '';
    case 'file':
      return read(find(term, vars, 'files')).replace(/\s+$/, '');
    case 'template':
      return renderJinjaFile(find(term, vars, 'templates'), vars);
  }
  throw new Error(`unknown lookup "${plugin}"; known: env, file, template`);
}
