// Whether a play reads Ansible's facts (ansible_hostname, ansible_facts.…): only then does a play
// with gather_facts ask the host for them, so a play that never uses them gathers nothing extra.
// Looks at what the play's tasks can render: its tasks and handlers, its and its roles' variables,
// the host's variables, and the Jinja2 templates in the play's and its roles' templates/ folders.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FACT_REFERENCE } from '../facts/system-facts.js';
import type { Play, Vars } from '../playbook/types.js';

/** Template files looked at per folder tree, and bytes per file: a bound on the scan. */
const MAX_TEMPLATES = 2000;
const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;
/** Variables that hold other hosts' data or the facts themselves. */
const SKIPPED_VARS = new Set(['hostvars', 'groups', 'ansible_facts']);

const playCache = new WeakMap<Play, boolean>();

export function playReadsFacts(play: Play, hostVars: Vars): boolean {
  if (play.gatherFacts === false) return false;
  let own = playCache.get(play);
  if (own === undefined) playCache.set(play, (own = playContentReadsFacts(play)));
  if (own) return true;
  // Asked for every host of every play: no list of entries made per host.
  for (const k of Object.keys(hostVars)) if (!SKIPPED_VARS.has(k) && mentions(hostVars[k])) return true;
  return false;
}

function playContentReadsFacts(play: Play): boolean {
  const tasks = [...play.tasks, ...play.handlers].some((t) => mentions(t.args) || mentions(t.when) || mentions(t.loop?.items));
  const roles = (play.roles ?? []).some((r) => mentions(r.defaults) || mentions(r.vars) || mentions(r.params));
  const base = dirname(play.pos.file);
  const folders = [join(base, 'templates'), ...(play.roles ?? []).map((r) => join(r.path, 'templates'))];
  return tasks || roles || mentions(play.vars) || templatesMention(base, false) || folders.some((f) => templatesMention(f, true));
}

/** Containers already looked at: group variables are the same objects for every host of a group. */
const containerCache = new WeakMap<object, boolean>();

function mentions(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return FACT_REFERENCE.test(v);
  if (v === null || typeof v !== 'object' || depth > 64) return false;
  let hit = containerCache.get(v);
  if (hit === undefined) containerCache.set(v, (hit = Object.values(v).some((x) => mentions(x, depth + 1))));
  return hit;
}

const fileCache = new Map<string, boolean>();

/** Any .j2 file in `dir` (and below it when `deep`) that reads a fact. */
function templatesMention(dir: string, deep: boolean): boolean {
  let seen = 0;
  const walk = (d: string): boolean => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && deep && walk(p)) return true;
      if (!e.isFile() || !e.name.endsWith('.j2') || ++seen > MAX_TEMPLATES) continue;
      let hit = fileCache.get(p);
      if (hit === undefined) {
        hit = statSync(p).size <= MAX_TEMPLATE_BYTES && FACT_REFERENCE.test(readFileSync(p, 'utf8'));
        fileCache.set(p, hit);
      }
      if (hit) return true;
    }
    return false;
  };
  return walk(dir);
}
