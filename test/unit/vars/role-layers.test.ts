import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/vars/precedence.js';
import { roleLayers } from '../../../src/vars/role-layers.js';
import type { Play, RoleUse } from '../../../src/playbook/types.js';
import { fixture } from '../inventory/fixture-path.js';
import { testPlay } from '../../helpers/play.js';

const inv = loadInventory(fixture('good', 'dc-small'));
const play = (vars: Record<string, unknown>): Play => testPlay({ vars });
const role = (name: string, defaults: Record<string, unknown>, vars: Record<string, unknown>, params = {}): RoleUse => ({
  name,
  path: `/roles/${name}`,
  defaults,
  vars,
  params,
});

test('role layers as Ansible ranks them: role defaults < inventory < play vars < vars_files < role vars < role params < -e', () => {
  const roles = [
    role('a', { d: 'a default', lvl: 'a default' }, { v: 'a vars' }, { p: 'a param' }),
    role('b', { d: 'b default' }, { v: 'b vars' }),
  ];
  const vars = (own: number | undefined, layers = {}) =>
    hostVars(inv, 'leaf01', {
      play: play({ v: 'play', p: 'play', lvl: 'play' }),
      playVarsFiles: [{ v: 'file' }],
      ...layers,
      ...roleLayers(roles, own),
    });
  // Play tasks: every role's defaults and vars, the later role winning.
  assert.deepEqual([vars(undefined).d, vars(undefined).v, vars(undefined).p, vars(undefined).lvl], ['b default', 'b vars', 'play', 'play']);
  // A role's own tasks: its own defaults, vars and params on top.
  assert.deepEqual([vars(0).d, vars(0).v, vars(0).p], ['a default', 'a vars', 'a param']);
  assert.equal(vars(0, { extra: { p: 'extra' } }).p, 'extra');
  // The inventory beats role defaults: leaf01's group vars set tuning_profile.
  const withDefault = hostVars(inv, 'leaf01', roleLayers([role('c', { tuning_profile: 'role default' }, {})], 0));
  assert.notEqual(withDefault.tuning_profile, 'role default');
});
