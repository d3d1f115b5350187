import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadMemo } from '../../../src/render/read-memo.js';
import { renderTemplateFile } from '../../../src/render/template.js';
import { layeredView } from '../../../src/render/layered-view.js';
import { markUnsafe } from '../../../src/raw-data.js';

/** A render that reads `mode`, then `fast` or `slow` depending on it, and counts its runs. */
function counted() {
  let runs = 0;
  const memo = new ReadMemo();
  const render = (vars: object) =>
    memo.render(vars, (v) => {
      runs++;
      const r = v as Record<string, unknown>;
      return r.mode === 'fast' ? `fast ${String(r.fast)}` : `slow ${String(r.slow)}`;
    });
  return { render, runs: () => runs };
}

test('a render that reads the same values gets the remembered output; any read value that differs renders afresh', () => {
  const m = counted();
  assert.equal(m.render({ mode: 'fast', fast: 1, host: 'a' }), 'fast 1');
  // Only an unread value differs: remembered.
  assert.equal(m.render({ mode: 'fast', fast: 1, host: 'b', slow: 9 }), 'fast 1');
  assert.equal(m.runs(), 1);
  // A read value differs: never the stale output.
  assert.equal(m.render({ mode: 'fast', fast: 2, host: 'a' }), 'fast 2');
  assert.equal(m.render({ mode: 'slow', fast: 1, slow: 3 }), 'slow 3');
  assert.equal(m.render({ mode: 'slow', fast: 1, slow: 4 }), 'slow 4');
  assert.equal(m.runs(), 4);
  // Both branches are remembered by the values each one read.
  assert.equal(m.render({ mode: 'slow', fast: 7, slow: 3 }), 'slow 3');
  assert.equal(m.render({ mode: 'fast', fast: 2 }), 'fast 2');
  assert.equal(m.runs(), 4);
});

test('values are compared by kind as well as text: 1 and "1", a missing key and undefined, an array and an object', () => {
  const memo = new ReadMemo();
  const show = (vars: object) => memo.render(vars, (v) => JSON.stringify((v as Record<string, unknown>).x) ?? 'none');
  assert.equal(show({ x: 1 }), '1');
  assert.equal(show({ x: '1' }), '"1"');
  assert.equal(show({}), 'none');
  assert.equal(show({ x: ['a'] }), '["a"]');
  assert.equal(show({ x: { 0: 'a' } }), '{"0":"a"}');
  assert.equal(show({ x: { 0: 'a', 1: 'b' } }), '{"0":"a","1":"b"}');
});

test('a key listing, an `in` test and an own-property check are reads too', () => {
  const memo = new ReadMemo();
  const keys = (vars: object) => memo.render(vars, (v) => Object.keys((v as { s: object }).s).join(','));
  assert.equal(keys({ s: { a: 1 } }), 'a');
  assert.equal(keys({ s: { a: 2, b: 1 } }), 'a,b');
  const has = (vars: object) => memo.render(vars, (v) => String('k' in v));
  assert.equal(has({ k: undefined }), 'true');
  assert.equal(has({}), 'false');
});

test('one host secret never reaches another host: outputs are keyed by the values read, secrets included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memo-'));
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'auth.hbs'), '{{#each users}}{{this.name}}:{{this.password}}\n{{/each}}token={{token}}\n');
  const host = (password: string, token: string) => ({ inventory_hostname: password, users: [{ name: 'admin', password }], token });
  assert.equal(renderTemplateFile(dir, 'auth.hbs', host('alpha-secret', 't1')), 'admin:alpha-secret\ntoken=t1\n');
  assert.equal(renderTemplateFile(dir, 'auth.hbs', host('beta-secret', 't1')), 'admin:beta-secret\ntoken=t1\n');
  assert.equal(renderTemplateFile(dir, 'auth.hbs', host('beta-secret', 't2')), 'admin:beta-secret\ntoken=t2\n');
  assert.equal(renderTemplateFile(dir, 'auth.hbs', host('alpha-secret', 't1')), 'admin:alpha-secret\ntoken=t1\n');
});

test('a templated variable is compared by what it resolves to for each host, an !unsafe one by its text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memo-'));
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'name.hbs'), 'name={{name}}\n');
  const vars = (pod: number) => ({ pod, name: 'leaf-{{ pod }}' });
  assert.equal(renderTemplateFile(dir, 'name.hbs', vars(1)), 'name=leaf-1\n');
  assert.equal(renderTemplateFile(dir, 'name.hbs', vars(2)), 'name=leaf-2\n');
  const unsafe = vars(2);
  markUnsafe(unsafe, 'name');
  assert.equal(renderTemplateFile(dir, 'name.hbs', unsafe), 'name=leaf-{{ pod }}\n');
});

test('a layered view reads as the merged copy would: top keys win, keys in order, marks of its own', () => {
  const base = { a: 1, b: { x: 1 }, c: 'base' };
  const view = layeredView(base, { c: 'top', d: 4 });
  assert.deepEqual({ ...view }, { a: 1, b: { x: 1 }, c: 'top', d: 4 });
  assert.deepEqual(Object.keys(view), ['a', 'b', 'c', 'd']);
  assert.equal(JSON.stringify(view), '{"a":1,"b":{"x":1},"c":"top","d":4}');
  assert.ok('d' in view && 'a' in view && !('z' in view));
  assert.ok(Object.hasOwn(view, 'c') && !Object.hasOwn(view, 'toString'));
  assert.equal(view.b, base.b);
  assert.equal(Reflect.set(view, 'a', 2), false);
  assert.equal(base.a, 1);
});

test('an object inheriting from a layered view (a Jinja loop frame) sets its own keys', () => {
  const view = layeredView({ a: 1 }, { b: 2 });
  const frame = Object.create(view) as Record<string, unknown>;
  frame.p = 3;
  assert.equal(frame.p, 3);
  assert.equal(frame.a, 1);
  assert.ok(!('p' in view));
});

test('a known top layer keys the output as a whole: any of its values that differs renders afresh, so does a read host value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memo-'));
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'rules.hbs'), '{{#each rules}}{{this.key}}={{this.value}}\n{{/each}}{{#if early}}early{{/if}} for {{profile}}\n');
  const render = (top: Record<string, unknown>, profile: string) =>
    renderTemplateFile(dir, 'rules.hbs', layeredView({ profile, host: 'x' }, top));
  const rules = (v: number) => [{ key: 'a', value: v }];
  assert.equal(render({ rules: rules(1), early: true }, 'p'), 'a=1\nearly for p\n');
  assert.equal(render({ rules: rules(2), early: true }, 'p'), 'a=2\nearly for p\n');
  assert.equal(render({ rules: rules(2), early: false }, 'p'), 'a=2\n for p\n');
  assert.equal(render({ rules: rules(2), early: false }, 'q'), 'a=2\n for q\n');
  assert.equal(render({ rules: [{ key: 'a', value: '2' }], early: false }, 'q'), 'a=2\n for q\n');
  // Undefined and missing differ to a strict template.
  assert.equal(render({ rules: rules(1), early: true, profile: undefined }, 'p'), 'a=1\nearly for \n');
});
