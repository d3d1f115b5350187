// `inventory --list | --host H`: resolved variables, shaped like ansible-inventory's output.
import { secrets } from '../secrets/redact.js';
import { EXIT, ValidationError } from '../errors.js';
import { hostVars } from '../vars/precedence.js';
import type { Inventory, Vars } from '../playbook/types.js';
import type { CliOptions } from './options.js';
import { extraVars, requireInventory } from './workspace.js';

/** Magic variables ansible-inventory leaves out of hostvars. */
const MAGIC = ['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups'];

function visibleVars(inv: Inventory, host: string, extra: Vars): Vars {
  const v = { ...hostVars(inv, host, { extra }) };
  for (const k of MAGIC) delete v[k];
  return v;
}

export function inventoryCommand(o: CliOptions): number {
  const inv = requireInventory(o);
  const extra = extraVars(o);
  let out: unknown;
  if (o.host) {
    if (!inv.hosts.has(o.host)) throw new ValidationError([{ message: `host "${o.host}" is not in inventory ${inv.dir}`, hint: 'see inventory --list' }]);
    out = visibleVars(inv, o.host, extra);
  } else if (o.list) {
    const groups: Record<string, unknown> = {};
    for (const g of inv.groups.values()) {
      const entry: Record<string, unknown> = {};
      if (g.hosts.length) entry.hosts = g.hosts;
      if (g.children.length) entry.children = g.children;
      groups[g.name] = entry;
    }
    const hostvars = Object.fromEntries([...inv.hosts.keys()].map((h) => [h, visibleVars(inv, h, extra)]));
    out = { _meta: { hostvars }, ...groups };
  } else {
    throw new ValidationError([{ message: 'inventory needs --list or --host H' }]);
  }
  process.stdout.write(JSON.stringify(secrets.redactValue(out), null, 2) + '\n');
  return EXIT.ok;
}
