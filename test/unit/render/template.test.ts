import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTemplateFile } from '../../../src/render/template.js';
import { ValidationError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
mkdirSync(join(dir, 'partials'));
mkdirSync(join(dir, 'sysctl'));
writeFileSync(join(dir, 'partials', 'header.hbs'), '# Managed by portsync-deploy for {{inventory_hostname}}: do not edit.\n');
writeFileSync(
  join(dir, 'sysctl', 'tuning.conf.hbs'),
  '{{> header}}{{#each settings}}{{@key}} = {{this}}\n{{/each}}cpus={{join cpus ","}} profile={{default profile "balanced"}}{{#if (eq mode "fast")}} fast{{/if}} <&>\n',
);
writeFileSync(join(dir, 'broken.hbs'), 'line one\nvalue = {{ settings.swapiness }}\n');
writeFileSync(join(dir, 'loop.hbs'), 'a\nb\n  {{#each ports}}{{this}}{{/each}}\n');
writeFileSync(join(dir, 'bad-syntax.hbs'), 'x\n{{#if a}}\n');
writeFileSync(join(dir, 'missing-partial.hbs'), '{{> nope}}\n');
writeFileSync(join(dir, 'partials', 'limits.hbs'), '[Service]\n\nLimitNOFILE={{ nofile }}\n');
writeFileSync(join(dir, 'uses-partial.hbs'), '# unit\n{{> limits}}\n');

function problem(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    return e.problems[0];
  }
  assert.fail('expected a ValidationError');
}

test('renders with partials and config helpers, without HTML escaping', () => {
  const out = renderTemplateFile(dir, 'sysctl/tuning.conf.hbs', {
    inventory_hostname: 'leaf01',
    settings: { 'vm.swappiness': 10 },
    cpus: [0, 2],
    mode: 'fast',
  });
  assert.equal(out, '# Managed by portsync-deploy for leaf01: do not edit.\nvm.swappiness = 10\ncpus=0,2 profile=balanced fast <&>\n');
});

test('an undefined variable names the template, line, column and variable', () => {
  const p = problem(() => renderTemplateFile(dir, 'broken.hbs', { settings: {} }));
  assert.match(p.message, /undefined variable "swapiness" in \{\{ settings\.swapiness \}\}/);
  assert.deepEqual([p.pos!.file, p.pos!.line, p.pos!.col], [join(dir, 'broken.hbs'), 2, 12]);
  assert.match(p.hint!, /group_vars/);
});

test('an undefined list in #each, a helper argument, syntax errors and missing partials are errors', () => {
  const p = problem(() => renderTemplateFile(dir, 'loop.hbs', {}));
  assert.match(p.message, /undefined variable in \{\{#each ports\}\}/);
  assert.equal(p.pos!.line, 3);
  const q = problem(() => renderTemplateFile(dir, 'sysctl/tuning.conf.hbs', { inventory_hostname: 'h', settings: {}, mode: 'x' }));
  assert.match(q.message, /\{\{join cpus ","\}\}/);
  assert.match(problem(() => renderTemplateFile(dir, 'bad-syntax.hbs', {})).message, /template syntax error/);
  assert.match(problem(() => renderTemplateFile(dir, 'missing-partial.hbs', {})).message, /partial "nope" not found/);
  assert.match(problem(() => renderTemplateFile(dir, 'absent.hbs', {})).message, /^no such file: absent\.hbs \(looked in: \/.*\)$/);
});

test("an undefined variable inside a partial names the partial's file and line", () => {
  const p = problem(() => renderTemplateFile(dir, 'uses-partial.hbs', {}));
  assert.deepEqual([p.pos!.file, p.pos!.line, p.pos!.col], [join(dir, 'partials', 'limits.hbs'), 3, 16]);
  assert.match(p.message, /"nofile" in \{\{ nofile \}\} of template .*limits\.hbs \(included by .*uses-partial\.hbs\)/);
});

test.after(() => rmSync(dir, { recursive: true }));

test('a .hbs template prints a variable whose value is a template resolved, as task args see it', () => {
  writeFileSync(join(dir, 'lazy.hbs'), 'value={{ b }} nested={{ cfg.url }}\n');
  const out = renderTemplateFile(dir, 'lazy.hbs', { a: 'A', b: '{{ a }}-x', cfg: { url: 'redis://{{ a }}' } });
  assert.equal(out, 'value=A-x nested=redis://A\n');
});

test('a byte-order mark at the start of a template is not written into the file', () => {
  writeFileSync(join(dir, 'bom.hbs'), '\uFEFFkey={{ a }}\n');
  writeFileSync(join(dir, 'bom.j2'), '\uFEFFkey={{ a }}\n');
  assert.equal(renderTemplateFile(dir, 'bom.hbs', { a: 1 }), 'key=1\n');
  assert.equal(renderTemplateFile(dir, 'bom.j2', { a: 1 }), 'key=1\n');
});

test('a .hbs template whose output is over the bound is a located problem', () => {
  writeFileSync(join(dir, 'big.hbs'), '{{#each rows}}{{ ../line }}{{/each}}');
  const p = problem(() => renderTemplateFile(dir, 'big.hbs', { rows: Array(5000).fill(0), line: 'x'.repeat(1000) }));
  assert.match(p.message, /big\.hbs: output of 5000000 characters is over the limit of 4194304/);
  assert.equal(p.pos!.file, join(dir, 'big.hbs'));
});
