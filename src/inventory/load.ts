// Loads Ansible inventories: one or several `-i` sources merged in order, each an INI or YAML
// file or a folder of them, plus the group_vars/ and host_vars/ beside each source. Every
// problem is collected before throwing.
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { join } from 'node:path';
import type { Problem } from '../errors.js';
import { ValidationError } from '../errors.js';
import type { Inventory, Vars } from '../playbook/types.js';
import { ownPosOf, recordOwnPos } from '../source-map.js';
import { parseYamlFile, YAML_LIMITS } from '../validate/yaml-source.js';
import { readRegular } from '../read-regular.js';
import { assignWithPos, isMapping } from '../vars/merge.js';
import { InventoryBuilder } from './builder.js';
import { recordGroupLayers } from '../vars/group-layers.js';
import { orderGroups } from './group-order.js';
import { addIniInventory } from './ini-inventory.js';
import { inventoryFilesIn } from './sources.js';
import { loadVarsDir, varsFilesIn } from './vars-dir.js';
import { addYamlInventory } from './yaml-inventory.js';

const YAML_EXT = /^\.(ya?ml|json)$/;

function pathList(paths: string | string[]): string[] {
  return (Array.isArray(paths) ? paths : [paths]).map((p) => resolve(p));
}

/** Every file loadInventory reads for `paths`: each source, then the group_vars/ and host_vars/
 *  files beside it (those of groups and hosts it lacks too). A path that is not there is left
 *  out: loading it reports that. */
export function inventoryFiles(paths: string | string[]): string[] {
  const out: string[] = [];
  for (const path of pathList(paths)) {
    if (!existsSync(path)) continue;
    const dir = isDir(path);
    out.push(...(dir ? inventoryFilesIn(path) : [path]));
    const base = dir ? path : dirname(path);
    for (const sub of ['group_vars', 'host_vars']) for (const { files } of varsFilesIn(join(base, sub))) out.push(...files);
  }
  return out;
}

export function loadInventory(paths: string | string[]): Inventory {
  const problems: Problem[] = [];
  const list = pathList(paths);
  const basedirs: string[] = [];
  const b = new InventoryBuilder(list[0] ? (isDir(list[0]) ? list[0] : dirname(list[0])) : process.cwd(), problems);
  for (const path of list) {
    if (!existsSync(path)) {
      problems.push({
        message: `inventory ${path} does not exist`,
        hint: 'pass -i with a fleet folder, an INI or YAML inventory file, or several -i',
      });
      continue;
    }
    const files = isDir(path) ? inventoryFilesIn(path) : [path];
    if (!files.length) {
      problems.push({
        message: `no inventory file in folder ${path}`,
        pos: { file: path, line: 1, col: 1 },
        hint: 'an inventory folder holds hosts.yaml (or INI files without the .ini extension), group_vars/ and host_vars/',
      });
      continue;
    }
    for (const file of files) addSource(b, file, isDir(path));
    basedirs.push(isDir(path) ? path : dirname(path));
  }
  if (problems.length) throw new ValidationError(problems);
  const inv = b.reconcile();
  applyVarsDirs(inv, basedirs, problems);
  if (problems.length) throw new ValidationError(problems);
  const direct = new Map<string, string[]>();
  for (const g of inv.groups.values()) for (const h of g.hosts) direct.set(h, [...(direct.get(h) ?? []), g.name]);
  for (const host of inv.hosts.values()) host.groups = orderGroups(inv, direct.get(host.name) ?? []);
  return inv;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * One inventory file. .yaml/.yml/.json are YAML; .ini is INI; any other file is YAML when it
 * reads as a YAML mapping and INI otherwise (Ansible tries its yaml plugin, then ini). In a
 * folder, a YAML list (a playbook kept beside the inventory) is skipped, as Ansible skips it.
 */
function addSource(b: InventoryBuilder, file: string, inFolder: boolean): void {
  let text: string;
  try {
    text = readRegular(file, YAML_LIMITS.bytes);
  } catch (e) {
    b.problems.push({ message: `cannot read inventory ${file}: ${(e as Error).message}`, pos: { file, line: 1, col: 1 } });
    return;
  }
  const ext = extname(file);
  if (ext === '.ini') return addIniInventory(b, text, file);
  const yaml = parseYamlFile(text, file);
  if (!yaml.problems.length && isMapping(yaml.value)) return addYamlInventory(b, yaml.value, file);
  if (!YAML_EXT.test(ext) || looksLikeIni(text)) return addIniInventory(b, text, file);
  if (yaml.problems.length) b.problems.push(...yaml.problems);
  else if (inFolder && Array.isArray(yaml.value)) (b.inv.skipped ??= []).push(`${file}: a YAML list (a playbook?), not an inventory`);
  else if (yaml.value !== null && yaml.value !== undefined) {
    b.problems.push({
      message: 'a YAML inventory must be a mapping of group names to groups',
      pos: { file, line: 1, col: 1 },
      hint: 'start with "all:" and put hosts under all.hosts or all.children.<group>.hosts',
    });
  }
}

/** A .yaml file whose first line is a [section] holds INI, which Ansible reads as such. */
function looksLikeIni(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() && !/^\s*[#;]/.test(l));
  return first !== undefined && /^\s*\[[^\]]+\]\s*$/.test(first);
}

function applyVarsDirs(inv: Inventory, basedirs: string[], problems: Problem[]): void {
  // Files for groups or hosts this inventory does not define are ignored, as in Ansible,
  // so one group_vars/ can serve several inventories.
  const files = new Map<string, Vars[]>();
  basedirs.forEach((dir, i) => {
    for (const [name, vars] of loadVarsDir(join(dir, 'group_vars'), problems)) {
      if (!inv.groups.has(name)) continue;
      const list = files.get(name) ?? [];
      list[i] = vars;
      files.set(name, list);
    }
  });
  for (const g of inv.groups.values()) {
    const own = files.get(g.name) ?? [];
    recordGroupLayers(g, assignWithPos(emptyLike(g.vars), g.vars), own);
    for (const f of own) if (f) assignWithPos(g.vars, f);
  }
  for (const dir of basedirs) {
    for (const [name, vars] of loadVarsDir(join(dir, 'host_vars'), problems)) {
      const h = inv.hosts.get(name);
      if (h) assignWithPos(h.vars, vars);
    }
  }
}

function emptyLike(v: Vars): Vars {
  const out: Vars = {};
  const p = ownPosOf(v);
  if (p) recordOwnPos(out, p);
  return out;
}
