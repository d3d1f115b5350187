// Which files an `-i` path stands for, as in Ansible: a file is one source; a folder is every
// file in it (sorted, sub-folders included) except hidden ones, group_vars/, host_vars/, the
// extensions Ansible skips there (.ini, .cfg, .md, …), an SSH known_hosts file and a vault
// password file (Ansible would read its one line as a host name, putting the secret in output).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Names Ansible never reads as inventory inside a folder (INVENTORY_IGNORE_EXTS and friends). */
const IGNORED = /^\.|^(?:host_vars|group_vars|vars_plugins)$|(?:~|\.(?:orig|ini|cfg|retry|pyc|pyo|swp|bak|rpm|md|txt|rst))$/;
/** Files fleets keep beside the inventory that are no inventory: SSH known_hosts, vault passwords. */
const NOT_INVENTORY = /^known_hosts|vault[-_.]?pass/i;

export function inventoryFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (IGNORED.test(entry) || NOT_INVENTORY.test(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...inventoryFilesIn(path));
    else out.push(path);
  }
  return out;
}
