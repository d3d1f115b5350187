// Playbook defaults: the lowest variable layer ("role defaults" in Ansible terms). Every *.yaml
// file in the `defaults/` folder beside the playbook, or beside its parent folder (so that a part
// such as playbooks/parts/daemon.yaml run on its own sees playbooks/defaults/), in name order.
// An inventory needs group_vars only for what differs from these values.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import { posOf } from '../source-map.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { assignWithPos, isMapping } from './merge.js';

/** The defaults folder that applies to `playbook`, or undefined when there is none. */
export function defaultsDirOf(playbook: string): string | undefined {
  const here = dirname(resolve(playbook));
  for (const dir of [here, dirname(here)]) {
    const candidate = join(dir, 'defaults');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
  }
  return undefined;
}

/**
 * The merged defaults for `playbook`. A variable defined in two files of the folder is an error:
 * which one wins would depend on file names, a silent trap when someone adds a file.
 */
export function loadPlaybookDefaults(playbook: string): Vars {
  const dir = defaultsDirOf(playbook);
  if (!dir) return {};
  const out: Vars = {};
  const problems: Problem[] = [];
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const name of files) {
    const file = join(dir, name);
    const { value, problems: yamlProblems } = loadYamlFile(file);
    if (yamlProblems.length) {
      problems.push(...yamlProblems);
      continue;
    }
    if (value === null) continue;
    if (!isMapping(value)) {
      problems.push({ message: `defaults file ${file} must hold a mapping of variables`, pos: { file, line: 1, col: 1 } });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!(key in out)) continue;
      const first = posOf(out, key);
      problems.push({
        message: `default "${key}" is defined twice${first ? ` (first at ${first.file}:${first.line})` : ''}`,
        pos: posOf(value, key) ?? { file, line: 1, col: 1 },
        hint: 'keep each default in one file of the defaults folder',
      });
    }
    assignWithPos(out, value);
  }
  if (problems.length) throw new ValidationError(problems);
  return out;
}
