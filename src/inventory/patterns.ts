// Host patterns for `hosts:` and --limit, as in Ansible: names, groups, globs (leaf*), regexes (~re),
// unions (a:b, a,b), intersections (&x) and exclusions (!x), and subscripts (leaf[0], leaf[-1],
// leaf[0:2], leaf[2:]; see subscript.ts). Unions apply first, then intersections, then exclusions,
// whatever their order in the pattern; a pattern of only intersections and exclusions starts from
// all hosts (`!h03` is every host but h03). As in Ansible, a name that matches no host or group is
// ignored with a warning, and a pattern may select no host (the play is skipped); a subscript
// beyond its hosts is an error.
import picomatch from 'picomatch';
import { ValidationError, type Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import type { Inventory } from '../playbook/types.js';
import { closeMatches } from '../validate/suggest.js';
import { applySubscript, splitSubscript } from './subscript.js';

const membersCache = new WeakMap<Inventory, Map<string, Set<string>>>();

/** Ansible's warning for a name of a pattern that matches nothing, with close names when there are. */
export function unmatchedWarning(inv: Inventory, term: string): string {
  const close = closeMatches(term, [...inv.groups.keys(), ...inv.hosts.keys()]);
  const guess = close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)` : '';
  return `[WARNING]: Could not match supplied host pattern, ignoring: ${term}${guess}`;
}

/** Hosts matched by `pattern`, in inventory order; `unmatched` hears of each name that matches
 *  no host or group (ignored, as Ansible ignores it). */
export function selectHosts(inv: Inventory, pattern: string, where?: SourcePos, unmatched: (term: string) => void = () => {}): string[] {
  const terms = splitPattern(pattern);
  const problems: Problem[] = [];
  if (!terms.length) {
    problems.push({
      message: `empty host pattern "${pattern}"`,
      pos: where,
      hint: 'use "all", a group, a host name or a glob such as "leaf*"',
    });
    throw new ValidationError(problems);
  }
  const union = new Set<string>();
  const intersections: Set<string>[] = [];
  const exclusions: Set<string>[] = [];
  const addTerm = (kind: string, hosts: Set<string>) => {
    if (kind === 'union') for (const h of hosts) union.add(h);
    else (kind === 'intersect' ? intersections : exclusions).push(hosts);
  };
  for (const term of terms) {
    const kind = term[0] === '!' ? 'exclude' : term[0] === '&' ? 'intersect' : 'union';
    const body = kind === 'union' ? term : term.slice(1).trim();
    // A host whose name looks like a subscript (h[1]) is that host, as in Ansible.
    const { expr, subscript } = inv.hosts.has(body) ? { expr: body } : splitSubscript(body);
    if (subscript) {
      const listed = enumerateMatches(inv, expr);
      const picked = listed.length ? applySubscript(listed, subscript) : listed;
      if (picked === undefined) {
        problems.push({
          message: `host pattern "${body}" in "${pattern}": "${expr}" has ${listed.length} hosts, none at position ${subscript.start}`,
          pos: where,
          hint: `positions run from 0 to ${listed.length - 1} (or -1 for the last)`,
        });
        continue;
      }
      if (listed.length) {
        addTerm(kind, new Set(picked));
        continue;
      }
    }
    const hosts = matchTerm(inv, expr);
    if (hosts) addTerm(kind, hosts);
    else {
      unmatched(expr);
      if (kind !== 'exclude') addTerm(kind, new Set());
    }
  }
  if (problems.length) throw new ValidationError(problems);
  const base = terms.every((t) => t[0] === '!' || t[0] === '&') ? new Set(inv.hosts.keys()) : union;
  return [...inv.hosts.keys()].filter((h) => base.has(h) && intersections.every((s) => s.has(h)) && !exclusions.some((s) => s.has(h)));
}

/** Ansible's split: on commas when there is one, else on colons outside brackets (leaf[0:2]). */
function splitPattern(pattern: string): string[] {
  const parts = pattern.includes(',') ? pattern.split(',') : (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  return parts.map((t) => t.trim()).filter(Boolean);
}

/** Whether a name matches the term: a regex (~re), a glob, or the name itself. */
function nameTest(term: string): ((name: string) => boolean) | undefined {
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch {
      return undefined;
    }
    return (n) => re.test(n);
  }
  if (/[*?[]/.test(term)) return picomatch(term, { dot: true });
  return (n) => n === term;
}

/** Hosts of the groups and hosts whose names match; undefined when no name matches (an empty group matches). */
function matchTerm(inv: Inventory, term: string): Set<string> | undefined {
  if (term === 'all' || term === '*') return new Set(inv.hosts.keys());
  const test = nameTest(term);
  return test && matchNames(inv, test);
}

/**
 * The hosts a term lists in Ansible's order, which a subscript counts in: each matching group's
 * hosts (its own, then its children's, level by level), then, when no group matched or the term
 * is a glob or regex, the matching hosts. Repeats stay, as in Ansible.
 */
function enumerateMatches(inv: Inventory, term: string): string[] {
  const test = nameTest(term);
  if (!test) return [];
  const groups = [...inv.groups.keys()].filter((g) => test(g));
  const out = groups.flatMap((g) => orderedGroupHosts(inv, g));
  if (!groups.length || /^~|[.?*[]/.test(term)) out.push(...[...inv.hosts.keys()].filter((h) => test(h)));
  return out;
}

/** A group's hosts: its own, then its children's, then their children's, each host once.
 *  (Ansible walks levels below the first child groups in no fixed order; this one is declared order.) */
function orderedGroupHosts(inv: Inventory, name: string): string[] {
  const seen = new Set([name]);
  const ordered = [name];
  for (let level = [name]; level.length;) {
    const next = level.flatMap((g) => inv.groups.get(g)?.children ?? []).filter((c) => !seen.has(c) && seen.add(c));
    ordered.push(...next);
    level = next;
  }
  const hosts = new Set(ordered.flatMap((g) => inv.groups.get(g)?.hosts ?? []));
  return [...hosts];
}

function matchNames(inv: Inventory, test: (name: string) => boolean): Set<string> | undefined {
  const out = new Set<string>();
  let matched = false;
  for (const [group, hosts] of groupMembers(inv)) {
    if (!test(group)) continue;
    matched = true;
    for (const h of hosts) out.add(h);
  }
  for (const h of inv.hosts.keys()) {
    if (!test(h)) continue;
    matched = true;
    out.add(h);
  }
  return matched ? out : undefined;
}

/** Every host of each group, inherited membership included. */
function groupMembers(inv: Inventory): Map<string, Set<string>> {
  let m = membersCache.get(inv);
  if (m) return m;
  m = new Map([...inv.groups.keys()].map((g) => [g, new Set<string>()]));
  for (const host of inv.hosts.values()) for (const g of host.groups) m.get(g)?.add(host.name);
  membersCache.set(inv, m);
  return m;
}
