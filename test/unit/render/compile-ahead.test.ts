// Templates compiled ahead are compiled once, and renders use that compile; a template that cannot
// be compiled is reported by its render exactly as when nothing was compiled ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { compileTemplatesAhead } from '../../../src/render/compile-ahead.js';
import { renderTemplateFile } from '../../../src/render/template.js';
import { ValidationError, type Problem } from '../../../src/errors.js';

/** A templates folder: two good templates (one in a subfolder, one with a partial), a syntax
 *  error, a template that reads an undefined variable, and a partial. */
function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-compile-ahead-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'partials'));
  mkdirSync(join(dir, 'tuning'));
  writeFileSync(join(dir, 'partials', 'header.hbs'), '# for {{ host }}\n');
  writeFileSync(join(dir, 'tuning', 'vm.conf.hbs'), 'vm.swappiness = {{ swappiness }}\n');
  writeFileSync(join(dir, 'unit.hbs'), '{{> header }}Nice={{ nice }}\n');
  writeFileSync(join(dir, 'bad-syntax.hbs'), 'x\n{{#if a}}\n');
  writeFileSync(join(dir, 'undefined.hbs'), 'line one\nvalue = {{ settings.swapiness }}\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a template {{\n');
  return dir;
}

/** Counts Handlebars' compiles of whole templates (a block's own program is compiled with its
 *  template's context; a template's has none). */
function countCompiles(t: { after(fn: () => void): void }): { count: number } {
  // Not in Handlebars' types; every environment (Handlebars.create) shares this class.
  const compiler = (Handlebars as unknown as { JavaScriptCompiler: { prototype: { compile: (...a: unknown[]) => unknown } } })
    .JavaScriptCompiler;
  const proto = compiler.prototype;
  const original = proto.compile;
  const counted = { count: 0 };
  proto.compile = function (this: unknown, ...a: unknown[]) {
    if (a[2] === undefined) counted.count++;
    return original.apply(this, a);
  };
  t.after(() => (proto.compile = original));
  return counted;
}

function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.problems.length, 1);
    return e.problems[0]!;
  }
  assert.fail('expected a ValidationError');
}

test('every template of the folder is compiled once ahead, and no render compiles one again', async (t) => {
  const dir = folder(t);
  const compiles = countCompiles(t);
  await compileTemplatesAhead([dir, `${dir}/`]);
  // vm.conf, unit and undefined (an error only when rendered); the partial header is compiled
  // with its folder's environment, at its first render.
  assert.equal(compiles.count, 3, 'each template that compiles, once');
  for (const host of ['leaf1', 'leaf2']) {
    assert.equal(renderTemplateFile(dir, 'tuning/vm.conf.hbs', { swappiness: host.length }), 'vm.swappiness = 5\n');
    assert.equal(renderTemplateFile(dir, 'unit.hbs', { host, nice: -5 }), `# for ${host}\nNice=-5\n`);
  }
  assert.equal(compiles.count, 4, 'the partial, at its first use; nothing compiled again');
});

test('a template that cannot be compiled is reported by its render as when nothing was compiled ahead', async (t) => {
  const ahead = folder(t);
  const plain = folder(t);
  await compileTemplatesAhead([ahead]);
  for (const [name, vars] of [
    ['bad-syntax.hbs', {}],
    ['undefined.hbs', { settings: {} }],
  ] as const) {
    const asBefore = problemOf(() => renderTemplateFile(plain, name, vars));
    const p = problemOf(() => renderTemplateFile(ahead, name, vars));
    assert.deepEqual(JSON.parse(JSON.stringify(p).replaceAll(ahead, plain)), asBefore);
    assert.equal(p.pos!.file, join(ahead, name));
  }
  assert.match(problemOf(() => renderTemplateFile(ahead, 'bad-syntax.hbs', {})).message, /^template syntax error: /);
  assert.deepEqual(problemOf(() => renderTemplateFile(ahead, 'undefined.hbs', { settings: {} })).pos, {
    file: join(ahead, 'undefined.hbs'),
    line: 2,
    col: 12,
  });
});

test('a folder that does not exist compiles nothing and throws nothing', async () => {
  await compileTemplatesAhead([join(tmpdir(), 'psd-no-such-templates-folder')]);
});
