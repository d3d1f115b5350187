// Loads an Ansible YAML inventory (a folder with hosts.yaml|hosts.yml, or one inventory file) plus
// the group_vars/ and host_vars/ beside it. Every problem is collected before throwing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import { ValidationError } from '../errors.js';
import type { SourcePos } from '../module.js';
import type { Inventory, InventoryGroup, InventoryHost, Vars } from '../playbook/types.js';
import { ownPosOf, posOf, recordOwnPos } from '../source-map.js';
import { ajvProblems, compileSchema } from '../validate/ajv.js';
import { inventorySchema } from '../validate/inventory-schema.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { assignWithPos, isMapping } from '../vars/merge.js';
import { expandHostRange } from './host-ranges.js';
import { orderGroups } from './group-order.js';
import { loadVarsDir } from './vars-dir.js';
import { recordGroupLayers } from '../vars/group-layers.js';

const INVENTORY_FILES = ['hosts.yaml', 'hosts.yml'];

export function loadInventory(path: string): Inventory {
  const problems: Problem[] = [];
  const file = inventoryFile(resolve(path), problems);
  if (!file) throw new ValidationError(problems);
  const dir = dirname(file);

  const { value, problems: yamlProblems } = loadYamlFile(file);
  if (yamlProblems.length) throw new ValidationError(yamlProblems);
  const doc = value ?? {};
  const validateInventoryDoc = compileSchema(inventorySchema);
  if (!validateInventoryDoc(doc)) {
    problems.push(...ajvProblems(validateInventoryDoc.errors, { roots: [doc], basePath: '' }).map((p) => withFile(p, file)));
    throw new ValidationError(problems);
  }

  const inv: Inventory = { dir, hosts: new Map(), groups: new Map() };
  const builder = new Builder(inv, file, problems);
  builder.group('all', undefined, ownPosOf(doc as object));
  for (const [name, node] of Object.entries(doc as Record<string, Vars | null>)) {
    builder.walk(name, node, name === 'all' ? undefined : 'all', posOf(doc as object, name), []);
  }
  builder.fillUngrouped();
  applyVarsDirs(inv, problems);
  if (problems.length) throw new ValidationError(problems);
  const direct = new Map<string, string[]>();
  for (const g of inv.groups.values()) for (const h of g.hosts) direct.set(h, [...(direct.get(h) ?? []), g.name]);
  for (const host of inv.hosts.values()) host.groups = orderGroups(inv, direct.get(host.name) ?? []);
  return inv;
}

function inventoryFile(path: string, problems: Problem[]): string | undefined {
  if (!existsSync(path)) {
    problems.push({ message: `inventory ${path} does not exist`, hint: 'pass -i with a fleet folder (holding hosts.yaml) or an inventory file' });
    return undefined;
  }
  let file = path;
  if (statSync(path).isDirectory()) {
    const found = INVENTORY_FILES.map((f) => join(path, f)).find(existsSync);
    if (!found) {
      problems.push({ message: `no ${INVENTORY_FILES.join(' or ')} in inventory folder ${path}`, hint: 'an inventory folder holds hosts.yaml, group_vars/ and host_vars/' });
      return undefined;
    }
    file = found;
  }
  if (looksLikeIni(file)) {
    problems.push({
      message: `${file} looks like an INI inventory; only Ansible's YAML inventory format is read`,
      pos: { file, line: 1, col: 1 },
      hint: `convert it once with: ansible-inventory -i ${file} --list -y > hosts.yaml`,
    });
    return undefined;
  }
  return file;
}

function looksLikeIni(file: string): boolean {
  const first = readFileSync(file, 'utf8').split('\n').find((l) => l.trim() && !l.trim().startsWith('#'));
  return first !== undefined && /^\s*\[[^\]]+\]\s*$/.test(first);
}

class Builder {
  constructor(
    private readonly inv: Inventory,
    private readonly file: string,
    private readonly problems: Problem[],
  ) {}

  group(name: string, parent: string | undefined, pos: SourcePos | undefined): InventoryGroup {
    let g = this.inv.groups.get(name);
    if (!g) {
      g = { name, parents: [], children: [], hosts: [], vars: {}, pos };
      recordOwnPos(g.vars, pos ?? { file: this.file, line: 1, col: 1 });
      this.inv.groups.set(name, g);
    }
    if (parent && !g.parents.includes(parent)) {
      g.parents.push(parent);
      this.inv.groups.get(parent)!.children.push(name);
    }
    return g;
  }

  walk(name: string, node: Vars | null, parent: string | undefined, pos: SourcePos | undefined, chain: string[]): void {
    if (chain.includes(name)) {
      this.problems.push({ message: `group "${name}" is its own descendant (${[...chain, name].join(' → ')})`, pos, hint: 'remove one of the children entries that close the loop' });
      return;
    }
    const g = this.group(name, parent, pos);
    if (!node) return;
    if (isMapping(node.vars)) assignWithPos(g.vars, node.vars);
    if (isMapping(node.hosts)) {
      for (const [pattern, hostVars] of Object.entries(node.hosts)) this.hosts(g, pattern, hostVars as Vars | null, posOf(node.hosts, pattern));
    }
    if (isMapping(node.children)) {
      for (const [child, childNode] of Object.entries(node.children)) {
        this.walk(child, childNode as Vars | null, name, posOf(node.children, child), [...chain, name]);
      }
    }
  }

  private hosts(g: InventoryGroup, pattern: string, vars: Vars | null, pos: SourcePos | undefined): void {
    const names = expandHostRange(pattern);
    if (typeof names === 'string') {
      this.problems.push({ message: names, pos, path: `hosts.${pattern}` });
      return;
    }
    for (const name of names) {
      let h: InventoryHost | undefined = this.inv.hosts.get(name);
      if (!h) {
        h = { name, vars: {}, groups: [], pos };
        recordOwnPos(h.vars, pos ?? { file: this.file, line: 1, col: 1 });
        this.inv.hosts.set(name, h);
      }
      if (vars) assignWithPos(h.vars, vars);
      if (!g.hosts.includes(name)) g.hosts.push(name);
    }
  }

  /** Hosts that belong to no group but `all` form the implicit group `ungrouped`, as in Ansible. */
  fillUngrouped(): void {
    const grouped = new Set<string>();
    for (const g of this.inv.groups.values()) if (g.name !== 'all') for (const h of g.hosts) grouped.add(h);
    const ungrouped = this.group('ungrouped', 'all', undefined);
    for (const h of this.inv.hosts.keys()) if (!grouped.has(h) && !ungrouped.hosts.includes(h)) ungrouped.hosts.push(h);
  }
}

function applyVarsDirs(inv: Inventory, problems: Problem[]): void {
  // Files for groups or hosts this inventory does not define are ignored, as in Ansible,
  // so one group_vars/ can serve several inventories.
  for (const [name, vars] of loadVarsDir(join(inv.dir, 'group_vars'), problems)) {
    const g = inv.groups.get(name);
    if (!g) continue;
    recordGroupLayers(g, assignWithPos(emptyLike(g.vars), g.vars), vars);
    assignWithPos(g.vars, vars);
  }
  for (const [name, vars] of loadVarsDir(join(inv.dir, 'host_vars'), problems)) {
    const h = inv.hosts.get(name);
    if (h) assignWithPos(h.vars, vars);
  }
}

function emptyLike(v: Vars): Vars {
  const out: Vars = {};
  const p = ownPosOf(v);
  if (p) recordOwnPos(out, p);
  return out;
}

function withFile(p: Problem, file: string): Problem {
  return p.pos ? p : { ...p, pos: { file, line: 1, col: 1 } };
}
