// Roles in Ansible's layout: a folder with tasks/, handlers/, defaults/, vars/ and meta/ (each
// main.yml), templates/ and files/. Found as Ansible finds them: roles/ beside the playbook, then
// roles_path (ansible.cfg or ANSIBLE_ROLES_PATH), then the playbook's own folder. A role's tasks
// and handlers become the play's, each marked with the role use whose variables it sees.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import { ownPosOf, posOf } from '../source-map.js';
import { loadYamlFile } from '../validate/yaml-source.js';
import { noSuchFile } from '../read-regular.js';
import { assignWithPos, isMapping } from '../vars/merge.js';
import { splitTags, toList } from './task.js';
import type { RoleUse, Task, Vars } from './types.js';

/** Converts a list of tasks as written (load.ts), so role files get the same checks as plays. */
export type ConvertTasks = (raw: unknown, path: string, pos: SourcePos, isHandler: boolean) => Task[];

/** Keys of a role entry that are not role parameters. */
const ENTRY_KEYWORDS = [
  'role',
  'name',
  'when',
  'tags',
  'vars',
  'tasks_from',
  'handlers_from',
  'defaults_from',
  'vars_from',
  'allow_duplicates',
];
/** Ansible keywords a role entry may carry that this tool does not apply to a role: refused, not mistaken for parameters. */
const REFUSED_KEYWORDS = ['become', 'become_user', 'become_method', 'delegate_to', 'environment', 'ignore_errors', 'check_mode', 'diff'];
/** A play's role uses (dependencies included); bounds the work a dependency web can cause. */
const MAX_ROLE_USES = 500;
/** Ansible's roles_path when nothing sets it. */
export const DEFAULT_ROLES_PATH = ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'];

export interface RoleEntry {
  raw: unknown;
  pos: SourcePos;
  path: string;
}

export class RoleLoader {
  readonly uses: RoleUse[] = [];
  readonly handlers: Task[] = [];
  /** Role folder + params → the use, for Ansible's once-per-play rule. */
  private readonly seen = new Map<string, Task[]>();
  private readonly handlersOf = new Set<string>();

  constructor(
    private readonly playbookDir: string,
    private readonly rolesPath: string[],
    private readonly home: string,
    private readonly convert: ConvertTasks,
    private readonly problems: Problem[],
  ) {}

  /** The tasks of one `roles:` entry (dependencies first), or of an `import_role:` (`dedupe` false).
   *  `outer` holds the when and tags of the roles that depend on this one: they apply to it too. */
  tasksOf(entry: RoleEntry, dedupe: boolean, chain: string[] = [], outer: Inherited = { when: [], tags: [] }): Task[] {
    const own = this.entry(entry);
    if (!own) return [];
    const spec = { ...own, when: [...outer.when, ...own.when], tags: [...new Set([...outer.tags, ...own.tags])] };
    const namePos = isMapping(entry.raw) ? posOf(entry.raw, spec.nameKey) : undefined;
    const dir = this.find(spec.name, namePos ?? entry.pos, entry.path);
    if (!dir) return [];
    if (chain.includes(dir)) {
      this.problems.push({
        message: `role dependency loop: ${[...chain, dir].map((d) => relative(this.playbookDir, d) || d).join(' → ')}`,
        pos: entry.pos,
        hint: 'a role may not depend on itself, directly or through others',
      });
      return [];
    }
    const meta = this.file(dir, 'meta');
    const metaMap = isMapping(meta.value) ? meta.value : {};
    const key = `${dir}\0${JSON.stringify(spec.params)}`;
    const earlier = this.seen.get(key);
    if (dedupe && earlier && metaMap.allow_duplicates !== true) {
      // Ansible runs it once, when any of its uses is selected: the uses' tags add up.
      for (const t of earlier) if (spec.tags.length) t.tags = [...new Set([...t.tags, ...spec.tags])];
      return [];
    }
    if (this.uses.length >= MAX_ROLE_USES) {
      this.problems.push({ message: `more than ${MAX_ROLE_USES} role uses in one play`, pos: entry.pos, hint: 'check meta dependencies' });
      return [];
    }
    // Dependencies run first, as separate uses with their own variables.
    const deps: Task[] = [];
    if (meta.value !== undefined && metaMap.dependencies !== undefined) {
      if (!Array.isArray(metaMap.dependencies)) {
        this.problems.push({ message: 'meta dependencies must be a list of roles', pos: posOf(metaMap, 'dependencies') ?? meta.pos });
      } else {
        metaMap.dependencies.forEach((d, i) => {
          const pos = posOf(metaMap.dependencies as object, i) ?? meta.pos;
          const at = { raw: d, pos, path: `${meta.pos.file}.dependencies[${i}]` };
          deps.push(...this.tasksOf(at, true, [...chain, dir], { when: spec.when, tags: spec.tags }));
        });
      }
    }
    const index = this.uses.length;
    const defaults = this.vars(dir, 'defaults', spec.defaultsFrom, entry.pos);
    // As Ansible 2.14 orders them: the entry's vars: below the role's vars/.
    const vars = assignWithPos(assignWithPos({}, spec.vars), this.vars(dir, 'vars', spec.varsFrom, entry.pos));
    this.uses.push({ name: spec.name, path: dir, defaults, vars, params: spec.params, ...(chain.length ? { dependency: true } : {}) });
    const mine: Task[] = [];
    this.seen.set(key, mine);

    // In place: the converted task keeps the source positions recorded on it.
    const scoped = (t: Task, isHandler: boolean): Task => {
      if (isHandler) t.listen = [...t.listen, `${spec.name} : ${t.name}`];
      else {
        t.name = `${spec.name} : ${t.name}`;
        if (spec.when.length) t.when = [...toList(t.when), ...spec.when];
        if (spec.tags.length) t.tags = [...new Set([...t.tags, ...spec.tags])];
      }
      t.role = index;
      return t;
    };
    const from = (key: string) => (isMapping(entry.raw) ? posOf(entry.raw, key) : undefined) ?? entry.pos;
    const tasks = this.file(dir, 'tasks', spec.tasksFrom, from('tasks_from'));
    // A role's handlers join the play once, however often the role is used.
    if (!this.handlersOf.has(dir)) {
      this.handlersOf.add(dir);
      const handlers = this.file(dir, 'handlers', spec.handlersFrom, from('handlers_from'));
      this.handlers.push(...this.list(handlers, true).map((t) => scoped(t, true)));
    }
    mine.push(...this.list(tasks, false).map((t) => scoped(t, false)));
    return [...deps, ...mine];
  }

  private list(f: LoadedFile, isHandler: boolean): Task[] {
    if (f.value === undefined || f.value === null) return [];
    if (!Array.isArray(f.value)) {
      this.problems.push({ message: `${f.pos.file} must hold a list of tasks`, pos: f.pos, hint: 'start each task with "- name: …"' });
      return [];
    }
    return this.convert(f.value, relative(this.playbookDir, f.pos.file) || f.pos.file, f.pos, isHandler);
  }

  private vars(dir: string, kind: 'defaults' | 'vars', from: string | undefined, at: SourcePos): Vars {
    const f = this.file(dir, kind, from, at);
    if (f.value === undefined || f.value === null) return {};
    if (isMapping(f.value)) return f.value;
    this.problems.push({ message: `${f.pos.file} must hold a mapping of variables`, pos: f.pos });
    return {};
  }

  /** KIND/FROM (main when unset) of the role, with .yml, .yaml, .json or no extension: its loaded
   *  value, undefined when absent. A FROM the entry names must exist; problems with it are located `at` it. */
  private file(dir: string, kind: string, from?: string, at?: SourcePos): LoadedFile {
    const folder = join(dir, kind);
    const stem = resolve(folder, from ?? 'main');
    const pos = { file: stem, line: 1, col: 1 };
    if (from !== undefined && (isAbsolute(from) || relative(folder, stem).startsWith('..'))) {
      this.problems.push({
        message: `${kind}_from "${from}" leaves the role's ${kind}/ folder`,
        pos: at,
        hint: `name a file under ${folder}`,
      });
      return { value: undefined, pos };
    }
    const file = ['.yml', '.yaml', '.json', ''].map((ext) => stem + ext).find(isFile);
    if (!file) {
      if (from !== undefined)
        this.problems.push({
          message: `${kind}_from "${from}": ${noSuchFile(`${from}.yml`, [folder])}`,
          pos: at,
          hint: `create ${stem}.yml (or .yaml, .json), or name a file that is under ${folder}`,
        });
      return { value: undefined, pos };
    }
    const loaded = loadYamlFile(file);
    this.problems.push(...loaded.problems);
    const value = loaded.problems.length ? undefined : loaded.value;
    return { value, pos: (value !== null && typeof value === 'object' && ownPosOf(value)) || { file, line: 1, col: 1 } };
  }

  private entry(e: RoleEntry): RoleSpec | undefined {
    if (typeof e.raw === 'string') return { name: e.raw, nameKey: 'role', when: [], tags: [], params: {}, vars: {} };
    if (!isMapping(e.raw)) {
      this.problems.push({ message: 'a role is a name or a mapping with "role: NAME"', pos: e.pos, path: e.path });
      return undefined;
    }
    const raw = e.raw;
    const nameKey = 'role' in raw ? 'role' : 'name';
    if (typeof raw[nameKey] !== 'string') {
      this.problems.push({ message: 'this role entry names no role', pos: e.pos, path: e.path, hint: 'write "- role: NAME"' });
      return undefined;
    }
    const bad = (key: string, why: string, hint: string) =>
      this.problems.push({ message: `role ${key}: ${why}`, pos: posOf(raw, key) ?? e.pos, path: `${e.path}.${key}`, hint });
    const params: Vars = {};
    for (const key of Object.keys(raw)) {
      if (REFUSED_KEYWORDS.includes(key)) bad(key, 'not supported on a role', `set "${key}" on the role's tasks or the play`);
      else if (!ENTRY_KEYWORDS.includes(key)) assignWithPos(params, { [key]: raw[key] });
    }
    for (const key of ['tasks_from', 'handlers_from', 'defaults_from', 'vars_from'])
      if (raw[key] !== undefined && typeof raw[key] !== 'string') bad(key, 'must be a file name', 'e.g. tasks_from: install');
    if (raw.vars !== undefined && !isMapping(raw.vars)) bad('vars', 'must be a mapping', 'vars: {name: value}');
    const when = raw.when === undefined ? [] : Array.isArray(raw.when) ? raw.when.map(String) : [String(raw.when)];
    return {
      name: raw[nameKey] as string,
      nameKey,
      when,
      tags: toList(raw.tags).flatMap(splitTags),
      vars: isMapping(raw.vars) ? raw.vars : {},
      params,
      tasksFrom: str(raw.tasks_from),
      handlersFrom: str(raw.handlers_from),
      defaultsFrom: str(raw.defaults_from),
      varsFrom: str(raw.vars_from),
    };
  }

  /** The role's folder, searched as Ansible searches; a located problem listing where it looked otherwise. */
  private find(name: string, pos: SourcePos, path: string): string | undefined {
    const expand = (p: string) => (p.startsWith('~/') ? join(this.home, p.slice(2)) : p === '~' ? this.home : p);
    const looked = name.includes('/')
      ? [resolve(this.playbookDir, expand(name))]
      : [join(this.playbookDir, 'roles'), ...this.rolesPath.map(expand), this.playbookDir].map((d) => resolve(this.playbookDir, d, name));
    const found = looked.find(isDir);
    if (found) return found;
    const collection = /^\w+\.\w+\.\w+$/.test(name);
    this.problems.push({
      message: `role "${name}" not found; looked in ${[...new Set(looked)].join(', ')}`,
      pos,
      path,
      hint: collection
        ? 'roles from collections are not supported: copy the role folder under roles/ beside the playbook'
        : 'put the role under roles/ beside the playbook, or add its parent folder to roles_path in ansible.cfg or ANSIBLE_ROLES_PATH',
    });
    return undefined;
  }
}

interface Inherited {
  when: string[];
  tags: string[];
}

interface LoadedFile {
  value: unknown;
  pos: SourcePos;
}

interface RoleSpec {
  name: string;
  nameKey: string;
  when: string[];
  tags: string[];
  vars: Vars;
  params: Vars;
  tasksFrom?: string;
  handlersFrom?: string;
  defaultsFrom?: string;
  varsFrom?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}
