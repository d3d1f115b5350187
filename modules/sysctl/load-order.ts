// Boot-time load order of sysctl files, to find settings that silently undo ours.
// systemd-sysctl reads *.conf from these directories sorted by file name across all of them; a
// name in an earlier directory shadows the same name in later ones. procps' `sysctl --system`
// reads /etc/sysctl.conf last (Debian also links it as /etc/sysctl.d/99-sysctl.conf).
import type { FactQuery, Facts } from '../../src/facts/types.js';
import { sameValue } from '../_shared/normalize.js';
import { keyMatches, parseSysctlConf } from './conf-file.js';

export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d'];
export const SYSCTL_CONF = '/etc/sysctl.conf';

export function loadOrderQueries(): FactQuery[] {
  return [...SYSCTL_DIRS.map((dir) => ({ kind: 'files' as const, glob: `${dir}/*.conf` })), { kind: 'file', path: SYSCTL_CONF }];
}

function split(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  return { dir: path.slice(0, slash), name: path.slice(slash + 1) };
}

/** Files systemd-sysctl loads, in order: [path, content]. */
function bootFiles(facts: Facts): [string, string][] {
  const byName = new Map<string, [string, string]>();
  for (const dir of SYSCTL_DIRS) {
    for (const [path, content] of Object.entries(facts.files(`${dir}/*.conf`))) {
      const { name } = split(path);
      if (!byName.has(name)) byName.set(name, [path, content]);
    }
  }
  return [...byName.keys()].sort().map((name) => byName.get(name)!);
}

export type Placement = { kind: 'loaded'; later: [string, string][] } | { kind: 'shadowed'; by: string } | { kind: 'not-loaded' };

/** Where `file` sits in the boot order, and the files that load after it. */
export function placement(facts: Facts, file: string): Placement {
  const sysctlConf = facts.file(SYSCTL_CONF);
  const tail: [string, string][] = sysctlConf !== null && file !== SYSCTL_CONF ? [[SYSCTL_CONF, sysctlConf]] : [];
  if (file === SYSCTL_CONF) return { kind: 'loaded', later: [] };
  const { dir, name } = split(file);
  if (!SYSCTL_DIRS.includes(dir)) return { kind: 'not-loaded' };
  const files = bootFiles(facts);
  const sameName = files.find(([path]) => split(path).name === name);
  if (sameName && SYSCTL_DIRS.indexOf(split(sameName[0]).dir) < SYSCTL_DIRS.indexOf(dir)) {
    return { kind: 'shadowed', by: sameName[0] };
  }
  return { kind: 'loaded', later: [...files.filter(([path]) => split(path).name > name), ...tail] };
}

export interface Override {
  key: string;
  path: string;
  line: number;
  value: string;
}

/** For each wanted key, the last later-loading assignment when it disagrees with ours. */
export function overrides(later: [string, string][], wanted: Map<string, string>): Override[] {
  const last = new Map<string, Override>();
  for (const [path, content] of later) {
    for (const entry of parseSysctlConf(content)) {
      for (const key of wanted.keys()) {
        if (keyMatches(entry.key, key)) last.set(key, { key, path, line: entry.line, value: entry.value });
      }
    }
  }
  return [...last.values()].filter((o) => !sameValue(o.value, wanted.get(o.key)!));
}
