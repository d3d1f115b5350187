// The subset of Ansible's gathered facts (`ansible_hostname`, `ansible_distribution`, …) a play
// with gather_facts gets, read by one sh fragment inside the host's one gather and computed as
// Ansible's setup module computes them on Linux. Every read tolerates a missing file or tool.
import type { Vars } from '../playbook/types.js';
import { markRaw, markUnsafe } from '../raw-data.js';
import { shq } from '../script/shell.js';
import { MACHINE_SCRIPT } from './host-facts.js';

/** Facts that change from one read to the next (free memory), each printed as a line of its own
 *  after `prefix`, out of the sections: a guarded apply leaves those lines out of its comparison.
 *  Shell builtins only, so it starts no process. Live hosts only. */
export function volatileFactsScript(prefix: string): string {
  return String.raw`if [ -r /proc/meminfo ]; then while IFS= read -r l; do case $l in MemFree:*) printf '%s %s\n' ${shq(prefix)} "$l";; esac; done < /proc/meminfo; fi`;
}

/** The parts of the facts a gather can read, each with reads of its own: a play gathers only the
 *  ones its templates and expressions use (src/plan/fact-references.ts). */
export const SYSTEM_SECTIONS = ['distribution', 'uname', 'fqdn', 'cpu', 'memory', 'interfaces', 'default_ipv4'] as const;
export type SystemSection = (typeof SYSTEM_SECTIONS)[number];

const each = (keys: string[], sections: SystemSection[]) => Object.fromEntries(keys.map((k) => [k, sections]));

/** Each fact (keyed as in `ansible_facts`) and the sections it is computed from. */
export const FACT_SECTIONS: Readonly<Record<string, readonly SystemSection[]>> = {
  ...each(
    [
      'distribution',
      'distribution_release',
      'distribution_version',
      'distribution_major_version',
      'distribution_minor_version',
      'os_family',
    ],
    ['distribution'],
  ),
  ...each(['nodename', 'hostname', 'kernel', 'kernel_version', 'architecture', 'machine', 'system'], ['uname']),
  // The fully qualified name is looked up from the node name.
  ...each(['fqdn', 'domain'], ['uname', 'fqdn']),
  // The count follows the machine (Arm and POWER count processor lines).
  ...each(['processor_count', 'processor_cores', 'processor_threads_per_core', 'processor_vcpus'], ['cpu', 'uname']),
  ...each(['memtotal_mb', 'memfree_mb'], ['memory']),
  interfaces: ['interfaces'],
  default_ipv4: ['default_ipv4'],
};

/** Prints sections "@@ NAME" followed by their lines, for the sections asked (all by default; fqdn
 *  and cpu come with uname, whose node name and machine they use). Live hosts only for uname, /proc
 *  and ip; an offline root gives what its files say. $ROOT is set by the gather script. */
export function systemFactsScript(offline: boolean, sections: readonly SystemSection[] = SYSTEM_SECTIONS): string {
  const has = (s: SystemSection) => sections.includes(s);
  // Read by the shell, not cat: a process costs the switch a millisecond or so.
  const files = has('distribution')
    ? [
        String.raw`for f in etc/os-release etc/debian_version; do [ -r "$ROOT/$f" ] && { printf '@@ %s\n' "$f"; while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$ROOT/$f"; }; done`,
      ]
    : [];
  if (offline)
    return [...files, ...(has('uname') ? [`[ -r "$ROOT/etc/hostname" ] && { printf '@@ uname\\n'; cat "$ROOT/etc/hostname"; }`] : [])].join(
      '\n',
    );
  // Few processes: the kernel's names are read from /proc/sys/kernel by the shell itself (uname's
  // fields, in the switch's UTS namespace), and lines are cut by parameter expansion, not awk/head.
  const parts: [SystemSection, string][] = [
    [
      'uname',
      String.raw`u() { IFS= read -r v < "/proc/sys/kernel/$1" || v=$(uname "$2"); printf '%s\n' "$v"; }
IFS= read -r n < /proc/sys/kernel/hostname || n=$(uname -n)
printf '@@ uname\n%s\n' "$n"; u osrelease -r; u version -v
${MACHINE_SCRIPT}
printf '%s\n' "$psd_m"; u ostype -s`,
    ],
    [
      'fqdn',
      String.raw`a=$(getent ahosts "$n" 2>/dev/null); a=${'$'}{a%%[[:space:]]*}
printf '@@ fqdn\n'; if [ -n "$a" ]; then h=$(getent hosts "$a" 2>/dev/null); [ -n "$h" ] && printf '%s\n' "${'$'}{h%%"$nl"*}"; fi`,
    ],
    [
      'cpu',
      String.raw`printf '@@ cpuinfo\n'; grep -E '^(processor|vendor_id|model name|physical id|core id|cpu cores|siblings)[[:space:]]*:' /proc/cpuinfo 2>/dev/null`,
    ],
    [
      'memory',
      String.raw`printf '@@ meminfo\n'; while IFS= read -r l; do case $l in MemTotal:*) printf '%s\n' "$l"; break;; esac; done < /proc/meminfo`,
    ],
    ['interfaces', String.raw`printf '@@ interfaces\n'; (cd /sys/class/net 2>/dev/null && find . -mindepth 1 -maxdepth 1 2>/dev/null)`],
    [
      'default_ipv4',
      String.raw`r=$(ip -4 route get 8.8.8.8 2>/dev/null); r=${'$'}{r%%"$nl"*}
printf '@@ route\n%s\n' "$r"
d=; set -- $r; while [ $# -gt 1 ]; do if [ "$1" = dev ]; then d=$2; break; fi; shift; done
if [ -n "$d" ]; then printf '@@ addr\n'; ip -o -4 addr show dev "$d" 2>/dev/null; printf '@@ link\n'; ip -o link show dev "$d" 2>/dev/null; fi`,
    ],
  ];
  const chosen = parts.filter(([s]) => has(s) || (s === 'uname' && (has('fqdn') || has('cpu')))).map(([, text]) => text);
  return `${[...files, "set -f; nl='\n'", ...chosen].join('\n')}\n`;
}

function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^@@ (\S+)$/.exec(line);
    if (h) out.set(h[1], (cur = []));
    else if (cur && line !== '') cur.push(line);
  }
  return out;
}

function keyValues(lines: string[], sep: RegExp): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of lines) {
    const i = l.search(sep);
    if (i > 0) m.set(l.slice(0, i).trim(), l.slice(i).replace(sep, '').trim());
  }
  return m;
}

const unquote = (v: string | undefined) => (v ?? '').replace(/^(["'])(.*)\1$/, '$2');

/** distribution, its version and release, os_family, from os-release and debian_version as Ansible reads them. */
function distribution(osRelease: string[], debianVersion: string[]): Vars {
  const os = keyValues(osRelease, /=/);
  const id = unquote(os.get('ID'));
  const name = unquote(os.get('NAME'));
  const names: Record<string, string> = {
    debian: 'Debian',
    ubuntu: 'Ubuntu',
    rhel: 'RedHat',
    centos: 'CentOS',
    fedora: 'Fedora',
    alpine: 'Alpine',
  };
  const families: Record<string, string> = {
    Debian: 'Debian',
    Ubuntu: 'Debian',
    RedHat: 'RedHat',
    CentOS: 'RedHat',
    Fedora: 'RedHat',
    Alpine: 'Alpine',
  };
  const dist = names[id] ?? (name.split(' ')[0] || 'NA');
  let version = unquote(os.get('VERSION_ID'));
  const out: Vars = {
    distribution: dist,
    distribution_release: unquote(os.get('VERSION_CODENAME')) || 'NA',
    os_family: families[dist] ?? dist,
  };
  // Debian: the point release from /etc/debian_version ("12.11"), as Ansible reports it.
  const point = /(\d+)\.(\d+)/.exec(debianVersion[0] ?? '');
  if (dist === 'Debian' && point) {
    version = point[0];
    out.distribution_minor_version = point[2];
  }
  out.distribution_version = version || 'NA';
  out.distribution_major_version = version.split('.')[0] || 'NA';
  return out;
}

/** Ansible's Linux CPU facts (its own counting, quirks included): sockets, cores per socket,
 *  threads per core and their product, vcpus. */
function cpu(lines: string[], arch: string | undefined): Vars {
  let i = 0;
  const seen = { processor: 0, vendor_id: 0, 'model name': 0 } as Record<string, number>;
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  let socket = '';
  let core = '';
  for (const l of lines) {
    const at = l.indexOf(':');
    const [k, v] = [l.slice(0, at).trim(), l.slice(at + 1).trim()];
    if (k in seen) {
      seen[k]!++;
      i++;
    } else if (k === 'physical id') {
      socket = v;
      if (!sockets.has(v)) sockets.set(v, 1);
    } else if (k === 'core id') {
      core = v;
      if (!sockets.has(v)) cores.set(v, 1);
    } else if (k === 'cpu cores') sockets.set(socket, Number(v));
    else if (k === 'siblings') cores.set(core, Number(v));
  }
  if (!lines.length) return {};
  if (seen.vendor_id! > 0 && seen.vendor_id === seen['model name']) i = seen.vendor_id!;
  if (/^(armv|aarch|ppc)/.test(arch ?? '')) i = seen.processor!;
  const count = sockets.size || i;
  const perSocket = [...sockets.values()][0] || 1;
  const threads = Math.floor((cores.size ? [...cores.values()][0]! : 1) / perSocket);
  return {
    processor_count: count,
    processor_cores: perSocket,
    processor_threads_per_core: threads,
    processor_vcpus: threads * count * perSocket,
  };
}

/** Ansible's default_ipv4, its keys in Ansible's order: the route to 8.8.8.8, then that interface's details. */
function defaultIpv4(route: string[], addr: string[], link: string[]): Vars {
  const words = (route[0] ?? '').split(/\s+/);
  const after = (w: string) => (words.includes(w) ? words[words.indexOf(w) + 1] : undefined);
  const dev = after('dev');
  if (!dev) return {};
  const out: Vars = { gateway: after('via'), interface: dev, address: after('src') };
  for (const l of addr) {
    const m = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)(?: brd (\S+))?/.exec(l);
    if (!m || m[1] !== out.address) continue;
    const prefix = Number(m[2]);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const ip = m[1].split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
    Object.assign(out, { broadcast: m[3] ?? '', netmask: dotted(mask), network: dotted((ip & mask) >>> 0), prefix: String(prefix) });
  }
  const l = /link\/(\S+)(?: (\S+))?/.exec(link[0] ?? '');
  const mtu = / mtu (\d+)/.exec(link[0] ?? '');
  if (l?.[1] === 'ether') out.macaddress = l[2];
  if (mtu) out.mtu = Number(mtu[1]);
  if (l) out.type = l[1];
  out.alias = dev;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** socket.getfqdn(): the first of the address's names that holds a dot, else the host name. */
function fqdn(hostsLine: string | undefined, node: string): string {
  const names = (hostsLine ?? '').trim().split(/\s+/).slice(1);
  return names.find((n) => n.includes('.')) ?? names[0] ?? node;
}

/** The facts, keyed as in `ansible_facts` (no `ansible_` prefix), of the sections the script was
 *  asked for: a fact of another section is absent, never guessed. */
export function parseSystemFacts(text: string, volatile: string[] = [], asked: readonly SystemSection[] = SYSTEM_SECTIONS): Vars {
  const s = sections(text);
  const get = (k: string) => s.get(k) ?? [];
  const out: Vars = asked.includes('distribution') ? distribution(get('etc/os-release'), get('etc/debian_version')) : {};
  const [node, kernel, kernelVersion, machine, system] = get('uname');
  if (node !== undefined) {
    out.nodename = node;
    out.hostname = node.split('.')[0];
  }
  if (kernel !== undefined && asked.includes('fqdn')) {
    const full = fqdn(get('fqdn')[0], node!);
    Object.assign(out, { fqdn: full, domain: full.includes('.') ? full.slice(full.indexOf('.') + 1) : '' });
  }
  if (kernel !== undefined) {
    Object.assign(out, {
      kernel,
      kernel_version: kernelVersion,
      architecture: machine,
      machine,
      system,
    });
  }
  Object.assign(out, cpu(get('cpuinfo'), machine));
  const mem = keyValues([...get('meminfo'), ...volatile], /:/);
  for (const [key, fact] of [
    ['MemTotal', 'memtotal_mb'],
    ['MemFree', 'memfree_mb'],
  ] as const) {
    const kb = parseInt(mem.get(key) ?? '', 10);
    if (Number.isFinite(kb)) out[fact] = Math.floor(kb / 1024);
  }
  if (s.has('interfaces')) out.interfaces = get('interfaces').map((l) => l.replace(/^\.\//, ''));
  if (s.has('route')) out.default_ipv4 = defaultIpv4(get('route'), get('addr'), get('link'));
  return out;
}

/** The facts as variables: each as `ansible_NAME`, and all under `ansible_facts`. They come from
 *  the switch, so none is ever evaluated as a template (marked, and the marks travel with the keys). */
export function ansibleFactVars(facts: Vars): Vars {
  const out: Vars = { ansible_facts: markRaw(facts) };
  for (const [k, v] of Object.entries(facts)) out[`ansible_${k}`] = v;
  for (const k of Object.keys(out)) markUnsafe(out, k);
  return out;
}

/** Names a template or variable uses to read these facts. */
export const FACT_REFERENCE =
  /\bansible_(?:facts|hostname|nodename|fqdn|domain|kernel|kernel_version|architecture|machine|system|os_family|distribution\w*|processor_\w+|mem\w+_mb|interfaces|default_ipv4)\b/;
