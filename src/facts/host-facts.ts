// The host facts every plan starts from, gathered by one POSIX sh fragment inside the engine's
// single fact-gathering exec. Paths are prefixed with $ROOT (empty on a live host, the root
// directory of an offline tree), and every read tolerates a missing file: an offline root has no
// /proc or /sys, and a busybox switch may lack tools.
import type { BlockDeviceFact, HostFacts, NicFact } from './types.js';
import { irqsOfNic, parseIrqLines } from './host-facts-irqs.js';

/**
 * The fragment prints sections: a line "@@ NAME [ARG]" followed by its content lines. It runs in a
 * subshell so its variables and `cd` stay local, and never exits the surrounding script. It forks
 * a fixed number of processes whatever the number of ports: per-port work uses builtins only.
 *
 * /proc/sys has one directory per interface under net/ipv{4,6}/{conf,neigh}, all with the same
 * files (the kernel registers them from one table), which on a 64-port switch is most of the
 * listing. The fragment lists one of them in full and only the names of the others
 * ("@@ sysctl-like net/ipv4/conf/Ethernet0"); the parser expands them. $ROOT must be absolute.
 */
export function hostFactsScript(): string {
  return String.raw`(
R=${'$'}{ROOT-}
first() { v=; [ -r "$1" ] && { IFS= read -r v < "$1" || [ -n "$v" ]; }; }
sysctl_files() { (cd "$R/proc/sys" && find "./$1" -type f 2>/dev/null); }
if [ -z "$R" ]; then
  printf '@@ hostname\n%s\n' "$(uname -n)"
  printf '@@ kernel\n%s\n' "$(uname -r)"
elif first "$R/etc/hostname"; then printf '@@ hostname\n%s\n' "$v"; fi
if first "$R/sys/devices/system/cpu/online"; then printf '@@ cpus\n%s\n' "$v"; fi
if first "$R/sys/devices/system/node/online"; then printf '@@ numa\n%s\n' "$v"; fi
if [ -d "$R/run/systemd/system" ]; then printf '@@ systemd\n'; fi
if [ -z "$R" ]; then
  s=inactive
  if [ -d /run/systemd/system ] && systemctl is-active --quiet irqbalance 2>/dev/null; then s=active
  elif pidof irqbalance >/dev/null 2>&1; then s=active; fi
  printf '@@ irqbalance\n%s\n' "$s"
fi
if [ -d "$R/proc/sys" ]; then
  printf '@@ sysctl\n'
  (cd "$R/proc/sys" && find . \( -path './net/ipv[46]/conf/*' -o -path './net/ipv[46]/neigh/*' \) -prune -o -type f -print 2>/dev/null)
  for p in net/ipv4/conf net/ipv6/conf net/ipv4/neigh net/ipv6/neigh; do
    t=
    for d in "$R/proc/sys/$p"/*; do
      [ -d "$d" ] || continue
      case ${'$'}{d##*/} in
        all|default) sysctl_files "$p/${'$'}{d##*/}" ;;
        *) [ -n "$t" ] || { t=${'$'}{d##*/}; sysctl_files "$p/$t"; } ;;
      esac
    done
    [ -n "$t" ] || continue
    printf '@@ sysctl-like %s/%s\n' "$p" "$t"
    for d in "$R/proc/sys/$p"/*; do
      case ${'$'}{d##*/} in all|default|"$t") ;; *) [ -d "$d" ] && printf '%s\n' "${'$'}{d##*/}" ;; esac
    done
    printf '@@ sysctl\n'
  done
fi
for d in "$R"/sys/class/net/*; do
  [ -d "$d" ] || continue
  printf '@@ nic %s\n' "${'$'}{d##*/}"
  if [ -e "$d/device" ] && cd -P "$d/device" 2>/dev/null; then printf 'device %s\n' "${'$'}{PWD##*/}"; fi
  for q in "$d"/queues/rx-*; do [ -d "$q" ] && printf '%s\n' "${'$'}{q##*/}"; done
done
cd /
if [ -r "$R/proc/interrupts" ]; then
  printf '@@ interrupts\n'
  awk 'NR == 1 { n = NF; next }
       $1 ~ /^[0-9]+:$/ { s = substr($1, 1, length($1) - 1)
         for (i = 2; i <= NF; i++) if (i > n + 1 || $i !~ /^[0-9]+$/) s = s " " $i
         print s }' "$R/proc/interrupts" 2>/dev/null
fi
for d in "$R"/sys/block/*; do
  [ -e "$d" ] || continue
  printf '@@ block %s\n' "${'$'}{d##*/}"
  if first "$d/queue/scheduler"; then printf '%s\n' "$v"; fi
done
printf '@@ end\n'
)
`;
}

interface Section {
  name: string;
  arg: string;
  lines: string[];
}

function sections(text: string): Section[] {
  const out: Section[] = [];
  for (const line of text.split('\n')) {
    const header = /^@@ (\S+)(?: (.*))?$/.exec(line);
    if (header) out.push({ name: header[1], arg: header[2] ?? '', lines: [] });
    else if (out.length > 0 && line.trim() !== '') out[out.length - 1].lines.push(line);
  }
  return out;
}

/** "0-3,6" -> [0,1,2,3,6]; tolerant: anything unreadable yields []. */
function kernelList(text: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) out.push(n);
  }
  return out;
}

/** "./net/ipv4/conf/eth0.100/forwarding" -> "net.ipv4.conf.eth0/100.forwarding", as sysctl(8) names it. */
function sysctlKey(path: string): string {
  return path
    .replace(/^\.\//, '')
    .split('/')
    .map((component) => component.replace(/\./g, '/'))
    .join('.');
}

/** Every sysctl key: the listed files, plus each "sysctl-like" sibling given the files of its model. */
function sysctlKeys(all: Section[]): string[] {
  const paths = all.filter((s) => s.name === 'sysctl').flatMap((s) => s.lines.filter((l) => l.startsWith('./')));
  for (const like of all.filter((s) => s.name === 'sysctl-like')) {
    const model = `./${like.arg}/`;
    const parent = model.slice(0, model.slice(0, -1).lastIndexOf('/') + 1);
    const files = paths.filter((p) => p.startsWith(model)).map((p) => p.slice(model.length));
    for (const sibling of like.lines) paths.push(...files.map((f) => `${parent}${sibling.trim()}/${f}`));
  }
  return paths.map(sysctlKey).sort();
}

/** "none [mq-deadline] kyber bfq" -> offered schedulers and the bracketed current one. */
function parseScheduler(name: string, line: string | undefined): BlockDeviceFact {
  const words = (line ?? '').trim().split(/\s+/).filter(Boolean);
  const current = words.find((w) => w.startsWith('[') && w.endsWith(']'));
  return {
    name,
    schedulers: words.map((w) => w.replace(/^\[(.*)\]$/, '$1')),
    // One word without brackets: an emulated file that keeps what was written (the switch lab).
    current: current ? current.slice(1, -1) : words.length === 1 ? words[0]! : '',
  };
}

/** Parse the fragment's output. Sections that are missing (offline root, missing files) get safe defaults. */
export function parseHostFacts(text: string): HostFacts {
  const all = sections(text);
  const one = (name: string) => all.find((s) => s.name === name);
  const irqLines = parseIrqLines(one('interrupts')?.lines ?? []);
  const nics: NicFact[] = all
    .filter((s) => s.name === 'nic' && s.arg !== '')
    .map((s) => {
      const device = s.lines
        .find((l) => l.startsWith('device '))
        ?.slice('device '.length)
        .trim();
      return {
        name: s.arg,
        irqs: irqsOfNic(irqLines, s.arg, device || undefined),
        rxQueues: s.lines.filter((l) => /^rx-\d+$/.test(l.trim())).map((l) => l.trim()),
      };
    });
  const numa = kernelList(one('numa')?.lines[0]);
  return {
    hostname: one('hostname')?.lines[0]?.trim() ?? '',
    kernel: one('kernel')?.lines[0]?.trim() ?? '',
    cpusOnline: kernelList(one('cpus')?.lines[0]),
    numaNodes: numa.length > 0 ? numa : [0],
    sysctlKeys: sysctlKeys(all),
    nics,
    blockDevices: all.filter((s) => s.name === 'block' && s.arg !== '').map((s) => parseScheduler(s.arg, s.lines[0])),
    irqbalanceActive: one('irqbalance')?.lines[0]?.trim() === 'active',
    systemd: one('systemd') !== undefined,
  };
}
