// -e / --extra-vars, as in Ansible: "key=value" pairs (values are strings), "@file.yaml", or a JSON
// object. Items apply in order; a later item wins.
import { splitWords } from '../script/words.js';
import { resolve } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import { recordPos } from '../source-map.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { assignWithPos, isMapping } from './merge.js';

export function parseExtraVars(items: string[], cwd: string): Vars {
  const out: Vars = {};
  const problems: Problem[] = [];
  for (const item of items) {
    const text = item.trim();
    if (text.startsWith('@')) {
      const file = resolve(cwd, text.slice(1));
      const { value, problems: p } = loadYamlFile(file);
      if (p.length)
        problems.push(
          ...p.map((x) =>
            /cannot read/.test(x.message)
              ? {
                  ...x,
                  message: `-e ${text}: ${/ENOENT/.test(x.message) ? 'file not found' : x.message.replace(/^cannot read [^:]*: /, '')}`,
                  pos: undefined,
                  hint: `path is relative to ${cwd}`,
                }
              : x,
          ),
        );
      else if (value !== null && !isMapping(value))
        problems.push({ message: `-e ${text}: the file must hold a mapping of variables`, pos: { file, line: 1, col: 1 } });
      else if (value) assignWithPos(out, value);
    } else if (text.startsWith('{')) {
      try {
        const value = JSON.parse(text) as unknown;
        if (!isMapping(value)) throw new Error('not an object');
        assignWithPos(out, value);
      } catch (e) {
        problems.push({ message: `-e '${item}': invalid JSON (${(e as Error).message})`, hint: `e.g. -e '{"tuning_profile": "latency"}'` });
      }
    } else {
      let pairs: string[];
      try {
        pairs = splitWords(text);
      } catch (e) {
        problems.push({ message: `-e '${item}': ${(e as Error).message}`, hint: 'close the quote: -e \'key="a value"\'' });
        continue;
      }
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        const key = pair.slice(0, eq);
        if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
          problems.push({
            message: `-e '${item}': "${pair}" is not key=value`,
            hint: 'use -e key=value, -e @vars.yaml or -e \'{"key": 1}\'',
          });
          continue;
        }
        out[key] = pair.slice(eq + 1);
        recordPos(out, key, { file: '(-e on the command line)', line: 1, col: 1 });
      }
    }
  }
  if (problems.length) throw new ValidationError(problems);
  return out;
}
