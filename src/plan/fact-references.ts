// Which of Ansible's facts a play reads (ansible_hostname, ansible_facts.…): only then does a play
// with gather_facts ask the host for them, and only for the sections those facts come from, so a
// play that never uses them gathers nothing extra (src/plan/fact-names.ts says what a text reads).
// Looks at what the play's tasks can render: its tasks and handlers, its and its roles' variables,
// the host's variables, the Jinja2 templates in the play's and its roles' folders and templates/
// folders, and the templates folder's Handlebars and Jinja2 files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SYSTEM_SECTIONS, type SystemSection } from '../facts/system-facts.js';
import { TEMPLATES_DIR } from '../package-root.js';
import type { Play, Vars } from '../playbook/types.js';
import { memoByString } from '../memo.js';
import { addFactUse, anyFactUse, factUseOfText, factUseOfWords, noFactUse, type FactUse } from './fact-names.js';

/** Template files looked at per folder tree, and bytes per file: a bound on the scan. */
const MAX_TEMPLATES = 2000;
const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;
/** Variables that hold other hosts' data or the facts themselves. */
const SKIPPED_VARS = new Set(['hostvars', 'groups', 'ansible_facts']);

const playCache = new WeakMap<Play, FactUse>();

/** The fact sections a play reads for a host with these variables: undefined when it reads no
 *  fact (or gathers none), every section when it may read any. */
export function playFactSections(play: Play, hostVars: Vars): SystemSection[] | undefined {
  if (play.gatherFacts === false) return undefined;
  let own = playCache.get(play);
  if (own === undefined) playCache.set(play, (own = playContentFactUse(play)));
  const use = addFactUse(addFactUse(noFactUse(), own), templatesDirUse(hostVars));
  // Asked for every host of every play: no list of entries made per host.
  for (const k of Object.keys(hostVars)) if (!SKIPPED_VARS.has(k)) addFactUse(use, valueUse(hostVars[k]));
  return sectionsOf(use);
}

/** What the rendered args of a task read, when a module may evaluate one of them (`debug: var`). */
export function argsFactSections(args: unknown): SystemSection[] | undefined {
  return sectionsOf(valueUse(args));
}

function sectionsOf(use: FactUse): SystemSection[] | undefined {
  if (use.all) return [...SYSTEM_SECTIONS];
  return use.sections.size ? SYSTEM_SECTIONS.filter((s) => use.sections.has(s)) : undefined;
}

function playContentFactUse(play: Play): FactUse {
  const use = noFactUse();
  const base = dirname(play.pos.file);
  const folders = [base, ...(play.roles ?? []).map((r) => r.path)];
  for (const t of [...play.tasks, ...play.handlers]) {
    for (const v of [t.args, t.when, t.loop?.items]) addFactUse(use, valueUse(v));
    for (const name of jinjaNames(t.args)) addFactUse(use, namedTemplateUse(name, folders));
  }
  for (const r of play.roles ?? []) for (const v of [r.defaults, r.vars, r.params]) addFactUse(use, valueUse(v));
  addFactUse(use, valueUse(play.vars));
  for (const dir of folders) {
    addFactUse(use, templatesUse(dir, false));
    addFactUse(use, templatesUse(join(dir, 'templates'), true));
  }
  return use;
}

/** The strings of a task's args that name a .j2 file. */
function jinjaNames(args: unknown, depth = 0): string[] {
  if (typeof args === 'string') return args.endsWith('.j2') ? [args] : [];
  if (args === null || typeof args !== 'object' || depth > 64) return [];
  return Object.values(args).flatMap((v) => jinjaNames(v, depth + 1));
}

/** A template a task names, wherever it is found (`../x.j2`, an absolute path, a sub-folder of a
 *  play's folder); a name made while rendering may name any. */
function namedTemplateUse(name: string, folders: string[]): FactUse {
  if (name.includes('{{') || name.includes('{%')) return anyFactUse();
  const candidates = isAbsolute(name) ? [name] : folders.flatMap((f) => [join(f, 'templates', name), join(f, name)]);
  const use = noFactUse();
  for (const c of candidates) if (isFile(c)) addFactUse(use, fileUse(c, true));
  return use;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Containers already looked at: group variables are the same objects for every host of a group. */
const containerCache = new WeakMap<object, FactUse>();
const NONE = noFactUse();

/** What a variable's string reads: a fleet's hosts hold mostly the same strings (a group's values,
 *  the same paths), and each host's variables are looked at. Short strings only, a bounded number. */
const MAX_REMEMBERED_TEXT = 4096;
const rememberedTextUse = memoByString((text) => factUseOfText(text, true), 2048);

function valueUse(v: unknown, depth = 0): FactUse {
  if (typeof v === 'string') return v.length > MAX_REMEMBERED_TEXT ? factUseOfText(v, true) : rememberedTextUse(v);
  if (v === null || typeof v !== 'object' || depth > 64) return NONE;
  let use = containerCache.get(v);
  if (use === undefined) {
    use = noFactUse();
    for (const x of Object.values(v)) addFactUse(use, valueUse(x, depth + 1));
    containerCache.set(v, use);
  }
  return use;
}

/** The templates folder a host's modules render from (`templates_dir`, else the package's): its
 *  Handlebars and Jinja2 files. */
function templatesDirUse(hostVars: Vars): FactUse {
  const dir = typeof hostVars.templates_dir === 'string' ? resolve(hostVars.templates_dir) : TEMPLATES_DIR;
  return templatesUse(dir, true, true);
}

const fileCache = new Map<string, FactUse>();
const folderCache = new Map<string, FactUse>();

/** What the .j2 files in `dir` (and below it when `deep`) read; with `handlebars`, the other files too. */
function templatesUse(dir: string, deep: boolean, handlebars = false): FactUse {
  const key = `${deep}${handlebars}${dir}`;
  const known = folderCache.get(key);
  if (known) return known;
  const use = noFactUse();
  let seen = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && deep) walk(p);
      const jinja = e.name.endsWith('.j2');
      if (!e.isFile() || !(jinja || handlebars) || ++seen > MAX_TEMPLATES) continue;
      addFactUse(use, fileUse(p, jinja));
    }
  };
  walk(dir);
  // Past the bound a file is not looked at: it may read any fact.
  if (seen > MAX_TEMPLATES) use.all = true;
  folderCache.set(key, use);
  return use;
}

function fileUse(path: string, jinja: boolean): FactUse {
  let use = fileCache.get(path);
  if (use === undefined) {
    if (statSync(path).size > MAX_TEMPLATE_BYTES) use = anyFactUse();
    else {
      const text = readFileSync(path, 'utf8');
      use = jinja ? factUseOfText(text, false) : factUseOfWords(text);
    }
    fileCache.set(path, use);
  }
  return use;
}
