// Host patterns for `hosts:` and --limit, as in Ansible: names, groups, globs (leaf*), regexes (~re),
// unions (a:b, a,b), intersections (&x) and exclusions (!x). Unions apply first, then
// intersections, then exclusions, whatever their order in the pattern; a pattern of only
// intersections and exclusions starts from all hosts (`!h03` is every host but h03). A pattern
// that selects no host is an error: a rollout that silently does nothing looks like success.
import picomatch from 'picomatch';
import { ValidationError, type Problem } from '../errors.js';
import type { SourcePos } from '../module.js';
import type { Inventory } from '../playbook/types.js';
import { suggestionHint } from '../validate/suggest.js';

const membersCache = new WeakMap<Inventory, Map<string, Set<string>>>();

/** Hosts matched by `pattern`, in inventory order. */
export function selectHosts(inv: Inventory, pattern: string, where?: SourcePos): string[] {
  const terms = pattern
    .split(/[,:]/)
    .map((t) => t.trim())
    .filter(Boolean);
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
  for (const term of terms) {
    const kind = term[0] === '!' ? 'exclude' : term[0] === '&' ? 'intersect' : 'union';
    const body = kind === 'union' ? term : term.slice(1).trim();
    const hosts = matchTerm(inv, body);
    if (!hosts) {
      const known = [...inv.groups.keys(), ...inv.hosts.keys()];
      problems.push({
        message: `host pattern "${body}" in "${pattern}" matches no host or group of inventory ${inv.dir}`,
        pos: where,
        hint: suggestionHint(body, known, 'groups and hosts'),
      });
      continue;
    }
    if (kind === 'union') for (const h of hosts) union.add(h);
    else (kind === 'intersect' ? intersections : exclusions).push(hosts);
  }
  if (problems.length) throw new ValidationError(problems);
  const base = terms.every((t) => t[0] === '!' || t[0] === '&') ? new Set(inv.hosts.keys()) : union;
  const hosts = [...inv.hosts.keys()].filter(
    (h) => base.has(h) && intersections.every((s) => s.has(h)) && !exclusions.some((s) => s.has(h)),
  );
  if (!hosts.length) {
    throw new ValidationError([
      {
        message: `host pattern "${pattern}" selects no host of inventory ${inv.dir}`,
        pos: where,
        hint: 'its groups are empty, or its exclusions and intersections leave nothing',
      },
    ]);
  }
  return hosts;
}

/** Hosts of the groups and hosts whose names match; undefined when no name matches (an empty group matches). */
function matchTerm(inv: Inventory, term: string): Set<string> | undefined {
  if (term === 'all' || term === '*') return new Set(inv.hosts.keys());
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch {
      return undefined;
    }
    return matchNames(inv, (n) => re.test(n));
  }
  if (/[*?[]/.test(term)) return matchNames(inv, picomatch(term, { dot: true }));
  return matchNames(inv, (n) => n === term);
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
