// A host's variables, from lowest to highest precedence (a higher layer replaces a key whole;
// mappings are not deep-merged, as with Ansible's default hash_behaviour=replace):
//   1. playbook defaults, then the play's roles' defaults/ (the task's own role last)
//   2. group `all`, then parent groups before child groups (by depth from `all`; equal depth by
//      name, later wins): first every group's vars from the inventory files, then group_vars/all of
//      every inventory source, then the other groups' group_vars/ files source by source (as Ansible does)
//   3. the host (inventory file, then host_vars/<host>)
//   4. play vars
//   5. play vars_files (in order)
//   6. the play's roles' vars/ (the task's own role last), then the role's parameters
//   7. -e extra vars (in order)
// Ansible connection aliases (ansible_host …) are applied per layer.
// Finally the inventory's own facts are set: inventory_hostname, group_names, groups.
import { dirname, isAbsolute, resolve } from 'node:path';
import { TemplateError, ValidationError } from '../errors.js';
import type { Inventory, Play, Vars } from '../playbook/types.js';
import { posOf } from '../source-map.js';
import { renderString } from '../render/expr-template.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { withConnectionAliases } from './connection-aliases.js';
import { assignWithPos, isMapping, withVars } from './merge.js';
import { groupLayers } from './group-layers.js';

export interface VarLayers {
  defaults?: Vars;
  play?: Play;
  playVarsFiles?: Vars[];
  /** Roles' defaults/, vars/ and parameters, each already merged in order. */
  roleDefaults?: Vars;
  roleVars?: Vars;
  roleParams?: Vars;
  extra?: Vars;
  /** false: Ansible's own view, without the tool's names filled in from ansible_* aliases. */
  aliases?: boolean;
}

const groupMerges = new WeakMap<Inventory, Map<string, Vars>>();
const groupIndexes = new WeakMap<Inventory, Record<string, string[]>>();

export function hostVars(inv: Inventory, host: string, layers: VarLayers): Vars {
  const h = inv.hosts.get(host);
  if (!h) throw new ValidationError([{ message: `host "${host}" is not in inventory ${inv.dir}` }]);
  const alias = layers.aliases === false ? (v: Vars) => v : withConnectionAliases;
  const out = withVars(belowHost(inv, h.groups, layers, alias), alias(h.vars));
  if (layers.play) assignWithPos(out, alias(layers.play.vars));
  for (const f of layers.playVarsFiles ?? []) assignWithPos(out, alias(f));
  if (layers.roleVars) assignWithPos(out, alias(layers.roleVars));
  if (layers.roleParams) assignWithPos(out, alias(layers.roleParams));
  if (layers.extra) assignWithPos(out, alias(layers.extra));
  out.inventory_hostname = host;
  out.inventory_hostname_short = host.split('.')[0];
  out.group_names = h.groups.filter((g) => g !== 'all' && g !== 'ungrouped');
  out.groups = groupIndex(inv);
  return out;
}

const belowHosts = new WeakMap<Inventory, Map<string, { defaults?: Vars; roleDefaults?: Vars; merged: Vars }[]>>();

/** The layers under the host's own (defaults, roles' defaults, group vars) merged once per
 *  distinct group list and defaults: the hosts of a group copy one merge instead of every layer. */
function belowHost(inv: Inventory, groups: string[], layers: VarLayers, alias: (v: Vars) => Vars): Vars {
  let cache = belowHosts.get(inv);
  if (!cache) belowHosts.set(inv, (cache = new Map()));
  const key = (alias === withConnectionAliases ? 'a\0' : '\0') + groups.join('\0');
  let known = cache.get(key);
  if (!known) cache.set(key, (known = []));
  const hit = known.find((k) => k.defaults === layers.defaults && k.roleDefaults === layers.roleDefaults);
  if (hit) return hit.merged;
  const merged: Vars = {};
  if (layers.defaults) assignWithPos(merged, alias(layers.defaults));
  if (layers.roleDefaults) assignWithPos(merged, alias(layers.roleDefaults));
  assignWithPos(merged, mergedGroupVars(inv, groups, alias));
  // Bounded: a run has a few default sets (one per play and role), each a handful of objects.
  if (known.length >= 16) known.shift();
  known.push({ defaults: layers.defaults, roleDefaults: layers.roleDefaults, merged });
  return merged;
}

/** Group vars merged in precedence order, once per distinct group list (hosts share them). */
function mergedGroupVars(inv: Inventory, groups: string[], alias: (v: Vars) => Vars): Vars {
  let cache = groupMerges.get(inv);
  if (!cache) groupMerges.set(inv, (cache = new Map()));
  const key = (alias === withConnectionAliases ? 'a\0' : '\0') + groups.join('\0');
  let merged = cache.get(key);
  if (!merged) {
    merged = {};
    const layers = groups.flatMap((g) => {
      const group = inv.groups.get(g);
      return group ? [{ name: g, ...groupLayers(group) }] : [];
    });
    for (const l of layers) assignWithPos(merged, alias(l.inventory));
    // As Ansible orders them: group_vars/all of every source, then the other groups source by source.
    const all = layers.filter((l) => l.name === 'all');
    const others = layers.filter((l) => l.name !== 'all');
    for (const l of all) for (const f of l.files) if (f) assignWithPos(merged, alias(f));
    const sources = Math.max(0, ...others.map((l) => l.files.length));
    for (let i = 0; i < sources; i++) for (const l of others) if (l.files[i]) assignWithPos(merged, alias(l.files[i]));
    cache.set(key, merged);
  }
  return merged;
}

/** `groups`: every group's hosts, like Ansible's magic variable. */
function groupIndex(inv: Inventory): Record<string, string[]> {
  let idx = groupIndexes.get(inv);
  if (!idx) {
    idx = Object.fromEntries([...inv.groups.keys()].map((g) => [g, [] as string[]]));
    for (const h of inv.hosts.values()) for (const g of h.groups) idx[g].push(h.name);
    groupIndexes.set(inv, idx);
  }
  return idx;
}

const varsFileCache = new Map<string, Vars>();

/**
 * The play's vars_files for one host. Entries may be templated per host
 * ("profiles/{{ tuning_profile }}.yaml"); paths are relative to the file that declares the play.
 */
export function loadPlayVarsFiles(play: Play, playbookDir: string, vars: Vars): Vars[] {
  const base = play.pos.file ? dirname(play.pos.file) : playbookDir;
  return play.varsFiles.map((entry, i) => {
    const where = posOf(play.varsFiles, i) ?? posOf(play, 'varsFiles') ?? play.pos;
    let name: string;
    try {
      name = String(renderString(entry, vars));
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      throw new ValidationError([{ message: `vars_files entry "${entry}": ${e.message}`, pos: where, hint: e.hint }]);
    }
    const file = isAbsolute(name) ? name : resolve(base, name);
    let loaded = varsFileCache.get(file);
    if (!loaded) {
      const { value, problems, unread } = loadYamlFile(file);
      if (problems.length) {
        throw new ValidationError(
          problems.map((p) =>
            unread
              ? {
                  ...p,
                  message: `vars file ${file} ${unread.missing ? 'not found' : 'cannot be read: ' + p.message.replace(/^cannot read [^:]*: /, '')} (from "${entry}")`,
                  pos: where,
                }
              : p,
          ),
        );
      }
      if (value !== null && !isMapping(value)) {
        throw new ValidationError([{ message: `vars file ${file} must hold a mapping of variables`, pos: { file, line: 1, col: 1 } }]);
      }
      loaded = (value as Vars | null) ?? {};
      varsFileCache.set(file, loaded);
    }
    return loaded;
  });
}
