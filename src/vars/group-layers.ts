// Ansible applies every group's vars from the inventory file before any group_vars/ file: a
// group_vars/all.yaml value beats a child group's inline `vars:`. InventoryGroup.vars holds both
// merged (for display); the two layers are kept here for precedence.
import type { InventoryGroup, Vars } from '../playbook/types.js';

const layers = new WeakMap<InventoryGroup, { inventory: Vars; files: Vars }>();

export function recordGroupLayers(group: InventoryGroup, inventory: Vars, files: Vars): void {
  layers.set(group, { inventory, files });
}

/** The group's vars from the inventory file and from group_vars/ (all of `vars` when not recorded). */
export function groupLayers(group: InventoryGroup): { inventory: Vars; files?: Vars } {
  return layers.get(group) ?? { inventory: group.vars };
}
