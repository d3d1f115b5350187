// `hostvars` in a play: every inventory host's variables, its own entry without `hostvars`
// (so the data has no cycle), the play's hosts with the play's variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkspace } from '../../../src/cli/workspace.js';
import { parseCliOptions } from '../../../src/cli/options.js';
import { posOf } from '../../../src/source-map.js';
import type { Vars } from '../../../src/playbook/types.js';

async function workspace(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-hostvars-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'inv/group_vars'), { recursive: true });
  writeFileSync(
    join(dir, 'inv/hosts.yaml'),
    'all:\n  children:\n    leaf:\n      hosts:\n        sw1: { asn: 65001 }\n        sw2: { asn: 65002 }\n    spine:\n      hosts:\n        sp1: { asn: 65100 }\n',
  );
  writeFileSync(join(dir, 'inv/group_vars/leaf.yaml'), 'role_name: leaf\n');
  writeFileSync(
    join(dir, 'site.yaml'),
    '- name: leaves\n  hosts: leaf\n  gather_facts: false\n  vars:\n    from_play: p\n  tasks:\n    - name: say\n      debug: { msg: "{{ asn }}" }\n',
  );
  const pb = join(dir, 'site.yaml');
  return loadWorkspace(parseCliOptions([pb, '-i', join(dir, 'inv'), '--check']), pb, true);
}

test("a play's hosts read each other's variables, the play's included, and hosts outside the play", async (t) => {
  const ws = await workspace(t);
  const [{ hosts }] = ws.plays;
  assert.deepEqual(
    hosts.map((h) => h.name),
    ['sw1', 'sw2'],
  );
  const hostvars = hosts[0]!.vars.hostvars as Record<string, Vars>;
  assert.equal(hostvars.sw2!.asn, 65002);
  assert.equal(hostvars.sw2!.from_play, 'p');
  assert.equal(hostvars.sw2!.role_name, 'leaf');
  assert.equal(hostvars.sp1!.asn, 65100);
  assert.equal(hostvars.sp1!.from_play, undefined, 'a host outside the play has no play variables');
  assert.ok(posOf(hostvars.sw2!, 'asn'), "an entry keeps its variables' source positions");
  // Every host's `hostvars` is the same mapping.
  assert.equal(hosts[1]!.vars.hostvars, hostvars);
});

test("a host's own entry in hostvars has no hostvars: the data has no cycle", async (t) => {
  const ws = await workspace(t);
  const [{ hosts }] = ws.plays;
  const sw1 = hosts[0]!.vars;
  const hostvars = sw1.hostvars as Record<string, Vars>;
  assert.equal(Object.hasOwn(hostvars.sw1!, 'hostvars'), false);
  assert.equal(hostvars.sw1!.asn, 65001);
  assert.doesNotThrow(() => JSON.stringify(sw1));
  assert.equal(JSON.parse(JSON.stringify(sw1)).hostvars.sw2.asn, 65002);
});
