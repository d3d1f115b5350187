// `inventory --list | --host H`: the inventory as ansible-inventory prints it (same shape, same
// merged variables, the tool's own connection names left out), so the two can be compared.
import { secrets } from '../secrets/redact.js';
import { EXIT, ValidationError } from '../errors.js';
import { hostVars } from '../vars/precedence.js';
import type { Inventory, Vars } from '../playbook/types.js';
import type { CliOptions } from './options.js';
import { extraVars, requireInventory } from './workspace.js';

/** Magic variables ansible-inventory leaves out of hostvars. */
const MAGIC = ['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups'];

function visibleVars(inv: Inventory, host: string, extra: Vars): Vars {
  const v = { ...hostVars(inv, host, { extra, aliases: false }) };
  for (const k of MAGIC) delete v[k];
  return v;
}

/** ansible-inventory --list: groups with their hosts and children (empty ones left out), `all` with children only. */
export function inventoryList(inv: Inventory, extra: Vars): Record<string, unknown> {
  const hostvars: Record<string, Vars> = {};
  for (const h of [...inv.hosts.keys()].sort()) {
    const v = visibleVars(inv, h, extra);
    if (Object.keys(v).length) hostvars[h] = v;
  }
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const g of inv.groups.values()) {
    const entry: Record<string, unknown> = {};
    if (g.name !== 'all' && g.hosts.length) entry.hosts = g.hosts;
    if (g.children.length) entry.children = g.children;
    if (Object.keys(entry).length) out[g.name] = entry;
  }
  return out;
}

export function inventoryCommand(o: CliOptions): number {
  const inv = requireInventory(o);
  const extra = extraVars(o);
  let out: unknown;
  if (o.host) {
    if (!inv.hosts.has(o.host))
      throw new ValidationError([{ message: `host "${o.host}" is not in inventory ${inv.dir}`, hint: 'see inventory --list' }]);
    out = visibleVars(inv, o.host, extra);
  } else if (o.list) {
    out = inventoryList(inv, extra);
  } else {
    throw new ValidationError([{ message: 'inventory needs --list or --host H' }]);
  }
  process.stdout.write(JSON.stringify(secrets.redactValue(out), null, 4) + '\n');
  return EXIT.ok;
}
