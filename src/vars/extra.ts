// -e / --extra-vars, as ansible-playbook reads them: "key=value" words (values are strings; see
// key-value.ts), "@file.yaml", or YAML/JSON text starting with "{" or "[" that must hold a
// mapping. Items apply in order; a later item wins.
import { resolve } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import { recordPos } from '../source-map.js';
import { loadYamlFile, parseYaml } from '../validate/yaml-source.js';
import { joinRaw, parseKeyValues, UnclosedError } from './key-value.js';
import { assignWithPos, isMapping } from './merge.js';

const CLI = '(-e on the command line)';

/** `warn` hears of words that are no key=value pair: Ansible keeps them only as `_raw_params`. */
export function parseExtraVars(items: string[], cwd: string, warn: (message: string) => void = () => undefined): Vars {
  const out: Vars = {};
  const problems: Problem[] = [];
  for (const item of items) {
    const text = item.trim();
    if (text.startsWith('@')) {
      const file = resolve(cwd, text.slice(1));
      const { value, problems: p, unread } = loadYamlFile(file);
      if (p.length)
        problems.push(
          ...p.map((x) =>
            unread
              ? {
                  ...x,
                  message: `-e ${text}: ${unread.missing ? 'file not found' : x.message.replace(/^cannot read [^:]*: /, '')}`,
                  pos: undefined,
                  hint: `path is relative to ${cwd}`,
                }
              : x,
          ),
        );
      else if (value !== null && !isMapping(value))
        problems.push({ message: `-e ${text}: the file must hold a mapping of variables`, pos: { file, line: 1, col: 1 } });
      else if (value) assignWithPos(out, value);
    } else if (text.startsWith('{') || text.startsWith('[')) {
      const { value, problems: p } = parseYaml(text, CLI);
      if (p.length) problems.push(...p.map((x) => ({ ...x, message: `-e '${item}': ${x.message}`, pos: undefined })));
      else if (!isMapping(value))
        problems.push({ message: `-e '${item}': not a mapping of variables`, hint: `e.g. -e '{"tuning_profile": "latency"}'` });
      else assignWithPos(out, value);
    } else if (text.startsWith('/') || text.startsWith('.')) {
      problems.push({ message: `-e '${item}': a file is read only with "@" before its path`, hint: `-e @${text}` });
    } else if (text) {
      let parsed: ReturnType<typeof parseKeyValues>;
      try {
        parsed = parseKeyValues(text);
      } catch (e) {
        if (!(e instanceof UnclosedError)) throw e;
        problems.push({ message: `-e '${item}': ${e.message}`, hint: 'close it, or quote the whole value: -e "key=\'a value\'"' });
        continue;
      }
      for (const [key, value] of parsed.pairs) {
        // Defined, not assigned: a key such as __proto__ is a variable like any other.
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        recordPos(out, key, { file: CLI, line: 1, col: 1 });
      }
      if (parsed.raw.length) {
        out._raw_params = joinRaw(parsed.raw);
        warn(
          `-e '${item}': ${parsed.raw.map((w) => `"${w}"`).join(', ')} is not key=value; like ansible-playbook, it is kept only as _raw_params. A value with spaces is quoted: -e "key='a b'"`,
        );
      }
    }
  }
  if (problems.length) throw new ValidationError(problems);
  return out;
}
