// Loads what a playbook run needs: inventory, module registry, playbook, every host's vars per
// play, and the planner's environment. Invalid input surfaces as ValidationError (exit 3).
import { dirname } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import { deriveInventoryVaultKeysAhead } from '../inventory/vault-ahead.js';
import { selectHosts, unmatchedWarning } from '../inventory/patterns.js';
import { loadModuleRegistry, type ModuleRegistry } from '../modules-registry.js';
import { playbookPlays } from '../playbook/load.js';
import type { Inventory, Play, Vars } from '../playbook/types.js';
import { evalWhen } from '../playbook/when.js';
import { renderArgs, renderTemplateFile } from '../render/template.js';
import { compileTemplatesAhead } from '../render/compile-ahead.js';
import { posOf } from '../source-map.js';
import { parseExtraVars } from '../vars/extra.js';
import { loadPlaybookDefaults } from '../vars/defaults.js';
import { hostVars, loadPlayVarsFiles, type VarLayers } from '../vars/precedence.js';
import { roleLayers, roleMagicVars } from '../vars/role-layers.js';
import { assignWithPos, withVars } from '../vars/merge.js';
import { lazyEntries } from '../vars/lazy-entries.js';
import type { PlayInput } from '../exec/run.js';
import type { PlanEnv } from '../plan/types.js';
import type { CliOptions } from './options.js';
import { MODULES_DIR, TEMPLATES_DIR } from './paths.js';
import picomatch from 'picomatch';
import { suggestionHint } from '../validate/suggest.js';

export interface Workspace {
  inventory: Inventory;
  registry: ModuleRegistry;
  plays: PlayInput[];
  env: PlanEnv;
}

export function requireInventory(o: CliOptions): Inventory {
  if (!o.inventory.length) throw new ValidationError([{ message: 'no inventory given', hint: 'pass -i inventories/<fleet>' }]);
  const inv = loadInventory(o.inventory);
  if (o.verbose) for (const s of inv.skipped ?? []) process.stderr.write(`inventory: skipped ${s}\n`);
  return inv;
}

export function extraVars(o: CliOptions): Vars {
  return parseExtraVars(o.extraVars, process.cwd(), (m) => process.stderr.write(`warning: ${m}\n`));
}

export function templatesDirOf(vars: Vars): string {
  return typeof vars.templates_dir === 'string' ? vars.templates_dir : TEMPLATES_DIR;
}

/** Every folder the plays' hosts render templates from (one, unless `templates_dir` differs). */
function templateFolders(plays: PlayInput[]): Set<string> {
  return new Set(plays.flatMap((p) => p.hosts.map((h) => templatesDirOf(h.vars))));
}

/** `playbook_dir`, as Ansible sets it: the folder of the file that declares the play (an
 *  imported part's own folder), against which relative `src` and `vars_files` resolve. */
export function playDir(play: Play): string {
  return dirname(play.pos.file);
}

/** Ansible's `hostvars`: every inventory host's variables (a play's hosts with the play's), shared
 *  by all hosts; each entry lacks `hostvars` itself, so the data has no cycle. */
function withHostvars(inventory: Inventory, hosts: PlayInput['hosts'], layers: VarLayers): PlayInput['hosts'] {
  const known = new Map(hosts.map((h) => [h.name, withoutHostvars(h.vars)]));
  // An entry is resolved when first read: a play that reads no other host's variables (most)
  // costs nothing per inventory host.
  const all = lazyEntries([...inventory.hosts.keys()], (name) => known.get(name)?.() ?? hostVars(inventory, name, layers));
  // Each host's variable sets were made for it alone: set on them instead of copying every variable.
  for (const h of hosts) for (const v of [h.vars, ...(h.roleVars ?? [])]) v.hostvars = all;
  return hosts;
}

/** `vars` as it is before `hostvars` is set on it, copied only when asked. */
function withoutHostvars(vars: Vars): () => Vars {
  const had = Object.hasOwn(vars, 'hostvars');
  const before = vars.hostvars;
  return () => {
    const copy = withVars(vars, {});
    if (had) copy.hostvars = before;
    else delete copy.hostvars;
    return copy;
  };
}

/** `connectTo`: told each play's hosts, with their vars, as soon as they are known (a run starts
 *  connecting to them while the rest loads). */
export async function loadWorkspace(
  o: CliOptions,
  playbook: string | undefined,
  check: boolean,
  connectTo?: (hosts: PlayInput['hosts']) => Promise<void>,
): Promise<Workspace> {
  if (!playbook)
    throw new ValidationError([{ message: 'no playbook given', hint: 'portsync-deploy playbooks/site.yaml -i inventories/<fleet>' }]);
  // The inventory's vault keys derive on the thread pool while the playbook's first play loads.
  const vaultKeys = deriveInventoryVaultKeysAhead(o.inventory);
  const registry = await loadModuleRegistry(MODULES_DIR);
  // The plays come one by one as they load: the first play's hosts start connecting while the
  // rest of the playbook loads. What a whole playbook load would report comes first, as it did
  // when the playbook loaded before everything else: a problem found meanwhile waits for it, and
  // so do the warnings, which a playbook with a problem never prints. Bad inventory or extra
  // vars are still reported before the playbook's problems.
  const plays = playbookPlays(playbook, registry, { rolesPath: o.rolesPath });
  const first = attempt(() => plays.next());
  await vaultKeys;
  const inventory = requireInventory(o);
  const extra = extraVars(o);
  if ('error' in first) throw first.error;
  const firstPlay = first.value;
  const warnings: string[] = [];
  let setup: PlaySetup | undefined;
  const problems: Problem[] = [];
  const inputs: PlayInput[] = [];
  const setUp = () => playSetup(o, playbook, inventory, (w) => warnings.push(w));
  const printWarnings = () => warnings.splice(0).forEach((w) => process.stderr.write(`${w}\n`));
  const addPlay = async (play: Play) => {
    setup ??= afterPlaybook(plays, setUp, printWarnings);
    const hosts = playHosts(play, setup, inventory, extra, check, problems);
    inputs.push({ play, hosts });
    if (!problems.length) await connectTo?.(hosts);
  };
  if (!firstPlay.done) await addPlay(firstPlay.value);
  // The generator goes on after its first play.
  for (const play of plays) await addPlay(play);
  // A playbook without plays still has its --limit checked.
  if (!setup) afterPlaybook(plays, setUp, printWarnings);
  printWarnings();
  problems.push(...onePrivilegePerHost(inputs));
  if (problems.length) throw new ValidationError(problems);
  if (o.startAtTask !== undefined) startAtTask(inputs, o.startAtTask);
  const env: PlanEnv = {
    registry,
    renderArgs,
    renderTemplate: (name, vars) => renderTemplateFile(templatesDirOf(vars), name, vars),
    compileTemplatesAhead: () => compileTemplatesAhead(templateFolders(inputs)),
    evalWhen,
    check,
    tags: { only: o.tags, skip: o.skipTags },
  };
  return { inventory, registry, plays: inputs, env };
}

/** `f`'s value, or what it threw, to be thrown later. */
function attempt<T>(f: () => T): { value: T } | { error: unknown } {
  try {
    return { value: f() };
  } catch (error) {
    return { error };
  }
}

/** What every play's hosts are chosen and given variables with: the playbook's defaults and --limit. */
interface PlaySetup {
  playbookDefaults: Vars;
  limited?: Set<string>;
  unmatched: (term: string) => void;
}

function playSetup(o: CliOptions, playbook: string, inventory: Inventory, warn: (w: string) => void): PlaySetup {
  // ansible.cfg and -u/-b below the playbook's defaults, as Ansible puts config below every variable.
  const playbookDefaults = assignWithPos(assignWithPos({}, o.connectionVars), loadPlaybookDefaults(playbook));
  // `--limit ""` (an unset shell variable) is not the absence of a limit: it selects nothing.
  if (o.limit !== undefined && !o.limit.trim())
    throw new ValidationError([
      { message: '--limit is empty, so it selects no host', hint: 'leave --limit out to run on every host the plays target' },
    ]);
  const warned = new Set<string>();
  const unmatched = (term: string) => {
    if (!warned.has(term)) warn(unmatchedWarning(inventory, term));
    warned.add(term);
  };
  const limited = o.limit !== undefined ? new Set(selectHosts(inventory, o.limit, undefined, unmatched)) : undefined;
  // As in Ansible: a --limit that leaves no host of the inventory is an error; a play it leaves
  // without hosts is skipped.
  if (limited?.size === 0)
    throw new ValidationError([
      {
        message: `--limit "${o.limit}" selects no host of inventory ${inventory.dir}`,
        hint: 'its names match no host or group, its groups are empty, or its exclusions and intersections leave nothing',
      },
    ]);
  return { playbookDefaults, ...(limited ? { limited } : {}), unmatched };
}

/** `make()`; when it finds a problem, the rest of `plays` loads first, so that the playbook's own
 *  problems are the ones reported, and only a good playbook gets `loaded` (its warnings) before it. */
function afterPlaybook<T>(plays: Iterator<Play>, make: () => T, loaded: () => void): T {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    while (!plays.next().done);
    loaded();
    throw e;
  }
}

/** A play's hosts with their variables; a host's problems go to `problems`. */
function playHosts(
  play: Play,
  setup: PlaySetup,
  inventory: Inventory,
  extra: Vars,
  check: boolean,
  problems: Problem[],
): PlayInput['hosts'] {
  // The play's become keywords sit above ansible.cfg and -b, below every variable, as in Ansible.
  const defaults = playKeywordDefaults(play, setup.playbookDefaults);
  const names = selectHosts(inventory, play.hosts, posOf(play, 'hosts') ?? play.pos, setup.unmatched).filter(
    (h) => !setup.limited || setup.limited.has(h),
  );
  const roles = play.roles ?? [];
  const magic = {
    playbook_dir: playDir(play),
    ansible_check_mode: check,
    role_names: [...new Set(roles.filter((r) => !r.dependency).map((r) => r.name))],
  };
  // Merged once per play: every host's variables share them (and the merge under them).
  const playRoles = roleLayers(roles);
  const ownRoles = roles.map((_, i) => roleLayers(roles, i));
  const hosts: PlayInput['hosts'] = [];
  for (const name of names) {
    try {
      // vars_files names render with the host's variables; a play without any needs no such set.
      const playVarsFiles = play.varsFiles.length
        ? loadPlayVarsFiles(play, playDir(play), hostVars(inventory, name, { defaults, play, extra, ...playRoles }))
        : [];
      const layers = { defaults, play, playVarsFiles, extra };
      // The variables the tasks of each role use see: that role's own layers on top.
      // hostVars makes a new set each call: the magic variables go onto it, not onto a copy of it.
      const roleVars = roles.map((r, i) =>
        assignWithPos(hostVars(inventory, name, { ...layers, ...ownRoles[i] }), { ...magic, ...roleMagicVars(r) }),
      );
      hosts.push({
        name,
        vars: assignWithPos(hostVars(inventory, name, { ...layers, ...playRoles }), magic),
        ...(roles.length ? { roleVars } : {}),
      });
    } catch (e) {
      if (e instanceof ValidationError) problems.push(...e.problems.map((p) => ({ ...p, host: p.host ?? name })));
      else throw e;
    }
  }
  return withHostvars(inventory, hosts, { defaults, extra, ...playRoles });
}

function playKeywordDefaults(play: Play, base: Vars): Vars {
  const keywords: Vars = {
    ...(play.become !== undefined ? { ansible_become: play.become } : {}),
    ...(play.becomeUser !== undefined ? { ansible_become_user: play.becomeUser } : {}),
  };
  return Object.keys(keywords).length ? assignWithPos(assignWithPos({}, base), keywords) : base;
}

/** A host keeps one connection, with one privilege, for the whole run: every play must agree on it. */
function onePrivilegePerHost(inputs: PlayInput[]): Problem[] {
  const seen = new Map<string, { play: Play; become: string }>();
  const problems: Problem[] = [];
  for (const { play, hosts } of inputs) {
    for (const h of hosts) {
      const become = h.vars.ansible_become === true ? `become as ${String(h.vars.ansible_become_user ?? 'root')}` : 'no become';
      const first = seen.get(h.name);
      if (!first) seen.set(h.name, { play, become });
      else if (first.become !== become && !problems.some((p) => p.host === h.name))
        problems.push({
          message: `play "${play.name}" runs with ${become}, play "${first.play.name}" with ${first.become}`,
          pos: posOf(play, 'become') ?? posOf(play, 'becomeUser') ?? play.pos,
          host: h.name,
          hint: 'a host keeps one connection, with one privilege, for the whole run: give every play the same become and become_user',
        });
    }
  }
  return problems;
}

/** --start-at-task NAME: every task before the first one so named (in play order) is left out, as ansible-playbook does. */
function startAtTask(inputs: PlayInput[], name: string): void {
  const matches = (taskName: string) => taskName === name || picomatch.isMatch(taskName, name);
  const at = inputs.findIndex(({ play }) => play.tasks.some((t) => matches(t.name)));
  if (at < 0) {
    throw new ValidationError([
      {
        message: `--start-at-task "${name}": no task of the playbook has that name`,
        hint:
          suggestionHint(
            name,
            inputs.flatMap(({ play }) => play.tasks.map((t) => t.name)),
            'tasks',
          ) ?? 'run --list-tasks to see the task names',
      },
    ]);
  }
  inputs.forEach(({ play }, i) => {
    if (i < at) play.tasks = [];
    else if (i === at) play.tasks = play.tasks.slice(play.tasks.findIndex((t) => matches(t.name)));
  });
}
