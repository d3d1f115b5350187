// Group precedence as in Ansible: a group's depth is its longest distance from `all`; a host's
// groups apply shallow to deep, and groups of equal depth by name (the later name wins).
import type { Inventory } from '../playbook/types.js';

const depthCache = new WeakMap<Inventory, Map<string, number>>();
const ancestorCache = new WeakMap<Inventory, Map<string, Set<string>>>();

export function groupDepth(inv: Inventory, group: string): number {
  let cache = depthCache.get(inv);
  if (!cache) depthCache.set(inv, (cache = new Map()));
  const known = cache.get(group);
  if (known !== undefined) return known;
  const parents = inv.groups.get(group)?.parents ?? [];
  const depth = parents.length ? Math.max(...parents.map((p) => groupDepth(inv, p) + 1)) : 0;
  cache.set(group, depth);
  return depth;
}

/** The group and every group above it. */
export function groupWithAncestors(inv: Inventory, group: string): Set<string> {
  let cache = ancestorCache.get(inv);
  if (!cache) ancestorCache.set(inv, (cache = new Map()));
  const known = cache.get(group);
  if (known) return known;
  const out = new Set([group]);
  for (const p of inv.groups.get(group)?.parents ?? []) for (const a of groupWithAncestors(inv, p)) out.add(a);
  cache.set(group, out);
  return out;
}

/** Every group of a host listed directly in `direct`, inherited ones too, in the order their vars apply. */
export function orderGroups(inv: Inventory, direct: Iterable<string>): string[] {
  const all = new Set<string>(['all']);
  for (const g of direct) for (const a of groupWithAncestors(inv, g)) all.add(a);
  return [...all].sort((a, b) => groupDepth(inv, a) - groupDepth(inv, b) || (a < b ? -1 : a > b ? 1 : 0));
}
