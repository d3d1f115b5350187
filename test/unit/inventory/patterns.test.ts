import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInventory } from '../../../src/inventory/load.js';
import { selectHosts, unmatchedWarning } from '../../../src/inventory/patterns.js';
import { ValidationError } from '../../../src/errors.js';
import { fixture } from './fixture-path.js';

const inv = loadInventory(fixture('good', 'dc-small'));
const sel = (p: string) => selectHosts(inv, p);

test('names, groups (with children), all and *', () => {
  assert.deepEqual(sel('spine01'), ['spine01']);
  assert.deepEqual(sel('leaf'), ['leaf01', 'leaf02', 'leaf03', 'leaf04']);
  assert.equal(sel('all').length, 7);
  assert.deepEqual(sel('*'), sel('all'));
  assert.deepEqual(sel('ungrouped'), ['mgmt01']);
});

test('globs and regexes match host and group names', () => {
  assert.deepEqual(sel('leaf0[12]*'), ['leaf01', 'leaf02']);
  assert.deepEqual(sel('spine*'), ['spine01', 'spine02']);
  assert.deepEqual(sel('leaf_*'), ['leaf01', 'leaf02', 'leaf03', 'leaf04']);
  assert.deepEqual(sel('~^leaf0[34]$'), ['leaf03', 'leaf04']);
});

test("subscripts count a group's hosts as Ansible lists them: its own, then its children's", () => {
  assert.deepEqual(sel('leaf[0]'), ['leaf01']);
  assert.deepEqual(sel('leaf[-1]'), ['leaf04']);
  assert.deepEqual(sel('leaf[1:2]'), ['leaf02', 'leaf03']);
  assert.deepEqual(sel('leaf[2:]'), ['leaf03', 'leaf04']);
  assert.deepEqual(sel('leaf[2:0]'), ['leaf03'], 'an end of 0 is the start alone, as in Ansible');
  assert.deepEqual(sel('leaf[1:99]'), ['leaf02', 'leaf03', 'leaf04'], 'a range past the end is cut short');
  assert.deepEqual(sel('spine[1]:leaf[0:1]:!leaf01'), ['spine02', 'leaf02']);
  assert.deepEqual(sel('all:&leaf_edge[0]'), ['leaf01']);
  assert.deepEqual(sel('leaf0[12]*'), ['leaf01', 'leaf02'], 'a bracket before more pattern is a glob');
});

test('a single position past the end is an error naming the pattern and the count', () => {
  const where = { file: 'site.yaml', line: 2, col: 10 };
  assert.throws(
    () => selectHosts(inv, 'spine[2]', where),
    (e: unknown) =>
      e instanceof ValidationError &&
      /"spine" has 2 hosts, none at position 2/.test(e.problems[0]!.message) &&
      /0 to 1/.test(e.problems[0]!.hint!) &&
      e.problems[0]!.pos === where,
  );
  assert.throws(() => sel('spine[-3]'), /none at position -3/);
  const heard: string[] = [];
  assert.deepEqual(
    selectHosts(inv, 'leaf0[12]', undefined, (t) => heard.push(t)),
    [],
  );
  assert.deepEqual(heard, ['leaf0'], 'a number at the end is a subscript, not a glob: Ansible warns of the name before it');
});

test('unions, intersections and exclusions; results in inventory order', () => {
  assert.deepEqual(sel('leaf04:spine01'), ['spine01', 'leaf04']);
  assert.deepEqual(sel('leaf04,spine01'), ['spine01', 'leaf04']);
  assert.deepEqual(sel('leaf:!leaf_edge'), ['leaf04']);
  assert.deepEqual(sel('!leaf01:leaf'), ['leaf02', 'leaf03', 'leaf04']);
  assert.deepEqual(sel('all:&leaf:!leaf02'), ['leaf01', 'leaf03', 'leaf04']);
});

test('only exclusions and intersections start from every host, as in Ansible', () => {
  assert.deepEqual(
    sel('!leaf01'),
    sel('all').filter((h) => h !== 'leaf01'),
  );
  assert.deepEqual(sel('!leaf:!mgmt01'), ['spine01', 'spine02']);
  assert.deepEqual(sel('&spine'), ['spine01', 'spine02']);
});

test('a pattern may select no host, as in Ansible (the play is skipped)', () => {
  for (const p of ['leaf:&spine', '!all', 'leaf:!leaf']) assert.deepEqual(sel(p), [], p);
});

test("names that match no host or group are ignored with Ansible's warning and close matches", () => {
  const heard: string[] = [];
  const hosts = selectHosts(inv, 'leaf:!lef_edge:spnie02', undefined, (t) => heard.push(t));
  assert.deepEqual(hosts, sel('leaf'), 'an unknown exclusion excludes nothing');
  assert.deepEqual(heard, ['lef_edge', 'spnie02']);
  assert.match(
    unmatchedWarning(inv, 'lef_edge'),
    /^\[WARNING\]: Could not match supplied host pattern, ignoring: lef_edge \(did you mean .*"leaf_edge"/,
  );
  assert.equal(unmatchedWarning(inv, 'zzzzzzzzzz'), '[WARNING]: Could not match supplied host pattern, ignoring: zzzzzzzzzz');
  assert.deepEqual(sel('nomatch*'), []);
  assert.deepEqual(sel('leaf:&nomatch'), [], 'an unknown intersection leaves nothing');
});
