// The variable layers a play's roles add (src/vars/precedence.ts): every role's defaults/ and
// vars/ apply play-wide, as with Ansible's default private_role_vars = False, and a role's own
// tasks see its own defaults, vars and parameters above the other roles'.
import type { RoleUse, Vars } from '../playbook/types.js';
import { assignWithPos } from './merge.js';
import type { VarLayers } from './precedence.js';

export function roleLayers(roles: RoleUse[], own?: number): Pick<VarLayers, 'roleDefaults' | 'roleVars' | 'roleParams'> {
  if (!roles.length) return {};
  const defaults: Vars = {};
  const vars: Vars = {};
  for (const r of roles) {
    assignWithPos(defaults, r.defaults);
    assignWithPos(vars, r.vars);
  }
  const mine = own === undefined ? undefined : roles[own];
  if (!mine) return { roleDefaults: defaults, roleVars: vars };
  return { roleDefaults: assignWithPos(defaults, mine.defaults), roleVars: assignWithPos(vars, mine.vars), roleParams: mine.params };
}

/** Ansible's magic variables for a role's tasks: role_name, role_path, ansible_role_name. */
export function roleMagicVars(role: RoleUse): Vars {
  return { role_name: role.name, ansible_role_name: role.name, role_path: role.path };
}
