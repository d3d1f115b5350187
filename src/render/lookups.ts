// lookup('env'|'file'|'template', …) on the control machine, as Ansible resolves them: files from
// the playbook's files/ (then its folder), templates from its templates/ (then its folder).
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { str } from './expr-values.js';
import { renderJinjaFile } from './jinja-file.js';

const MAX_BYTES = 1024 * 1024;

function find(term: string, vars: Record<string, unknown>, sub: string): string {
  if (isAbsolute(term)) return term;
  const base = typeof vars.playbook_dir === 'string' ? vars.playbook_dir : process.cwd();
  const candidates = [join(base, sub, term), join(base, term)];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // try the next place
    }
  }
  throw new Error(`"${term}" not found in ${candidates.join(' or ')}`);
}

function read(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_BYTES) throw new Error(`${path} is ${size} bytes, over the limit of ${MAX_BYTES}`);
  return readFileSync(path, 'utf8');
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
