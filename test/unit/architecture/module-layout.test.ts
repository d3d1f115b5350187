// One layout for every module: index.ts wires the Module, schema.ts holds the JSON schema and the
// args type derived from it, so the schema is the only place an arg is declared, and diff.ts
// builds the changes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const MODULES = join(ROOT, 'modules');

/** Folders starting with `_` hold helpers shared by modules; every other folder is a module. */
const moduleNames = readdirSync(MODULES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
  .map((e) => e.name);

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* tsFiles(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

test('every module folder has index.ts and schema.ts', () => {
  assert.ok(moduleNames.length > 10, 'modules were found');
  const missing = moduleNames.flatMap((m) =>
    ['index.ts', 'schema.ts'].filter((f) => !existsSync(join(MODULES, m, f))).map((f) => `${m}/${f}`),
  );
  assert.deepEqual(missing, []);
});

test('schema.ts exports the schema and an args type derived from it; index.ts takes the schema from there', () => {
  const bad = moduleNames.filter((m) => {
    const schema = readFileSync(join(MODULES, m, 'schema.ts'), 'utf8');
    const index = readFileSync(join(MODULES, m, 'index.ts'), 'utf8');
    return !(
      /^export const schema = \{$/m.test(schema) &&
      /^export type \w+Args = FromSchema<typeof schema>;$/m.test(schema) &&
      /import \{ schema, [^}]*\btype \w+Args\b[^}]*\} from '\.\/schema\.js';/.test(index)
    );
  });
  assert.deepEqual(bad, []);
});

test('no args type is written by hand beside its schema', () => {
  const handWritten = [...tsFiles(MODULES)].flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/^(?:export )?(?:interface \w*Args\b|type \w*Args = (?!FromSchema<))/gm)].map(
      (m) => `${f.slice(MODULES.length + 1)}: ${m[0]}`,
    ),
  );
  assert.deepEqual(handWritten, []);
});

/** Modules that change nothing (a check, a message, variables, a probe): their `diff` only reports. */
const NO_CHANGES = ['assert', 'debug', 'health_check', 'set_fact'];

test('a module that plans changes builds them in diff.ts; index.ts only wires the diff in', () => {
  const inIndex = moduleNames.filter((m) => /^ {2}diff\(/m.test(readFileSync(join(MODULES, m, 'index.ts'), 'utf8')));
  assert.deepEqual(
    inIndex.filter((m) => !NO_CHANGES.includes(m)),
    [],
  );
  const withoutDiffFile = moduleNames.filter(
    // shell plans as command does, through command's diff.
    (m) => !NO_CHANGES.includes(m) && m !== 'shell' && !existsSync(join(MODULES, m, 'diff.ts')),
  );
  assert.deepEqual(withoutDiffFile, []);
});
