// Ansible applies every group's vars from the inventory files before any group_vars/ file: a
// group_vars/all.yaml value beats a child group's inline `vars:`. InventoryGroup.vars holds both
// merged (for display); the layers are kept here for precedence, group_vars/ once per inventory
// source (index = source), since each source's folder may hold its own group_vars/.
import type { InventoryGroup, Vars } from '../playbook/types.js';

const layers = new WeakMap<InventoryGroup, { inventory: Vars; files: Vars[] }>();

export function recordGroupLayers(group: InventoryGroup, inventory: Vars, files: Vars[]): void {
  layers.set(group, { inventory, files });
}

/** The group's vars from the inventory files and from each source's group_vars/ (all of `vars` when not recorded). */
export function groupLayers(group: InventoryGroup): { inventory: Vars; files: Vars[] } {
  return layers.get(group) ?? { inventory: group.vars, files: [] };
}
