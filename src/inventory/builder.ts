// Builds one Inventory from several sources (YAML and INI files), as Ansible's inventory data
// does: groups and hosts are created on first mention, later sources add to them and their
// vars replace earlier ones key by key, and `reconcile` applies Ansible's rules at the end.
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import type { Inventory, InventoryGroup, InventoryHost, Vars } from '../playbook/types.js';
import { recordOwnPos, recordPos } from '../source-map.js';
import { assignWithPos } from '../vars/merge.js';
import { expandHostRange } from './host-ranges.js';

export class InventoryBuilder {
  readonly inv: Inventory;

  constructor(
    dir: string,
    readonly problems: Problem[],
  ) {
    this.inv = { dir, hosts: new Map(), groups: new Map() };
    // Ansible's inventory starts with these two, `ungrouped` a child of `all`.
    this.group('all', { file: dir, line: 1, col: 1 });
    this.addChild('all', 'ungrouped', undefined);
  }

  group(name: string, pos: SourcePos | undefined): InventoryGroup {
    let g = this.inv.groups.get(name);
    if (!g) {
      g = { name, parents: [], children: [], hosts: [], vars: {}, pos };
      recordOwnPos(g.vars, pos ?? { file: this.inv.dir, line: 1, col: 1 });
      this.inv.groups.set(name, g);
    }
    return g;
  }

  /** Makes `child` a child group of `parent`; false (with a problem) if that closes a loop. */
  addChild(parent: string, child: string, pos: SourcePos | undefined): boolean {
    const p = this.group(parent, pos);
    const c = this.group(child, pos);
    if (c.parents.includes(parent)) return true;
    const loop = this.pathDown(child, parent);
    if (loop) {
      this.problems.push({
        message: `group "${child}" is its own descendant (${[parent, ...loop].join(' → ')})`,
        pos,
        hint: 'remove one of the children entries that close the loop',
      });
      return false;
    }
    c.parents.push(parent);
    p.children.push(child);
    return true;
  }

  /** Group names from `from` down to `to` through children, if `to` is below `from`. */
  private pathDown(from: string, to: string, seen = new Set<string>()): string[] | undefined {
    if (from === to) return [to];
    if (seen.has(from)) return undefined;
    seen.add(from);
    for (const c of this.inv.groups.get(from)?.children ?? []) {
      const rest = this.pathDown(c, to, seen);
      if (rest) return [from, ...rest];
    }
    return undefined;
  }

  setGroupVars(group: string, vars: Vars, pos: SourcePos | undefined): void {
    assignWithPos(this.group(group, pos).vars, vars);
  }

  /**
   * Adds the hosts a pattern names ("leaf[01:04]", "leaf01:2222") to `group` with `vars`.
   * A port in the pattern becomes ansible_port, as in Ansible.
   */
  addHosts(group: string, pattern: string, vars: Vars | null, pos: SourcePos | undefined, path?: string): void {
    const { name, port } = splitPort(pattern);
    const names = expandHostRange(name);
    if (typeof names === 'string') {
      this.problems.push({ message: names, pos, path });
      return;
    }
    const g = this.group(group, pos);
    for (const n of names) {
      let h: InventoryHost | undefined = this.inv.hosts.get(n);
      if (!h) {
        h = { name: n, vars: {}, groups: [], pos };
        recordOwnPos(h.vars, pos ?? { file: this.inv.dir, line: 1, col: 1 });
        this.inv.hosts.set(n, h);
      }
      if (vars) assignWithPos(h.vars, vars);
      if (port !== undefined) {
        h.vars.ansible_port = port;
        if (pos) recordPos(h.vars, 'ansible_port', pos);
      }
      if (!g.hosts.includes(n)) g.hosts.push(n);
    }
  }

  /**
   * Ansible's rules once every source is read: a group without parents is a child of `all`;
   * `ungrouped` holds exactly the hosts in no other group.
   */
  reconcile(): Inventory {
    for (const g of this.inv.groups.values()) if (g.name !== 'all' && !g.parents.length) this.addChild('all', g.name, g.pos);
    const grouped = new Set<string>();
    for (const g of this.inv.groups.values()) if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) grouped.add(h);
    const ungrouped = this.inv.groups.get('ungrouped')!;
    ungrouped.hosts = [...this.inv.hosts.keys()].filter((h) => !grouped.has(h));
    return this.inv;
  }
}

/** "host:22" → host and port 22; IPv6 "[::1]:22" too; a bare IPv6 address has no port. */
export function splitPort(pattern: string): { name: string; port?: number } {
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(pattern);
  if (v6) return { name: v6[1], port: Number(v6[2]) };
  // Exactly one colon outside range brackets, followed by digits.
  const m = /^((?:[^:[\]]|\[[^\]]*\])+):(\d+)$/.exec(pattern);
  return m ? { name: m[1], port: Number(m[2]) } : { name: pattern };
}
