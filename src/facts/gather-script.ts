// Composes every fact query of one host into ONE sh script, and parses its output.
// Each answer is one marker line; payloads are base64 (prefixed 'b' so empty stays visible),
// so any bytes survive the trip.
import type { FactQuery } from './types.js';
import { MARK, rooted, shArgv, shGlob, shq } from '../script/shell.js';
import { systemFactsScript } from './system-facts.js';

export function queryKey(q: FactQuery): string {
  switch (q.kind) {
    case 'file':
    case 'stat':
      return `${q.kind}:${q.path}`;
    case 'sysctl':
      return `sysctl:${q.key}`;
    case 'unit':
      return `unit:${q.name}`;
    case 'cmd':
      return `cmd:${JSON.stringify(q.argv)}`;
    case 'files':
      return `files:${q.glob}`;
    case 'system':
      return 'system';
  }
}

export function uniqueQueries(queries: FactQuery[]): FactQuery[] {
  const seen = new Map<string, FactQuery>();
  for (const q of queries) if (!seen.has(queryKey(q))) seen.set(queryKey(q), q);
  return [...seen.values()];
}

export interface GatherTarget {
  /** Transport root ('' on live systems). */
  root: string;
  /** Offline roots have no live sysctl or unit state: those queries are not sent. */
  offline: boolean;
}

/** A script function, so `B64 < file` redirects base64's input, not tr's. */
const B64 = 'b64';

/** Dots separate levels; a slash stands for a dot inside a name (net.ipv4.conf.eth0/100.rp_filter). */
export function sysctlPath(key: string): string {
  const parts = key.split('.').map((p) => p.replace(/\//g, '.'));
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`sysctl key ${key} does not name a file under /proc/sys`);
  return '/proc/sys/' + parts.join('/');
}

/** `stat` text for a path: type|mode|uid|gid|size|owner|group; names as the target knows them. */
function statText(f: string, t: GatherTarget, dereference: boolean): string {
  const L = dereference ? '-L ' : '';
  if (!t.root) return `"$(stat ${L}-c '%F|%a|%u|%g|%s|%U|%G' -- ${f})"`;
  // An offline root's owners are named by its own passwd and group files, not the control machine's.
  const passwd = shq(rooted(t.root, '/etc/passwd', true));
  const group = shq(rooted(t.root, '/etc/group', true));
  return `"$(stat ${L}-c '%F|%a|%u|%g|%s' -- ${f})|$(nm ${passwd} "$(stat ${L}-c %u -- ${f})")|$(nm ${group} "$(stat ${L}-c %g -- ${f})")"`;
}

function queryScript(id: number, q: FactQuery, t: GatherTarget): string {
  const m = `${MARK} ${id}`;
  switch (q.kind) {
    case 'file':
      // Only regular files are read: a FIFO or /dev/zero would never end.
      return `f=${shq(rooted(t.root, q.path, true))}
if [ -f "$f" ] && [ -r "$f" ]; then printf '%s b' '${m} ok'; ${B64} < "$f"; echo; else echo '${m} absent'; fi`;
    case 'stat': {
      // A link's own mode is meaningless (0777): what it leads to is reported beside it.
      const followed = t.root ? shq(rooted(t.root, q.path, true)) : '"$f"';
      return `f=${shq(rooted(t.root, q.path))}
if [ -e "$f" ] || [ -L "$f" ]; then
  x=; y=; if [ -L "$f" ]; then x=$(readlink -- "$f"); l=${followed}; if [ -e "$l" ]; then y=${statText('"$l"', t, true)}; [ -f "$l" ] && y="$y|$(sha256sum < "$l" | cut -c1-64)"; fi
  elif [ -f "$f" ]; then x=$(sha256sum < "$f" | cut -c1-64); fi
  printf '%s b' '${m} ok'; printf '%s|%s' ${statText('"$f"', t, false)} "$x" | ${B64}; printf ' b'; printf '%s' "$y" | ${B64}; echo
else echo '${m} absent'; fi`;
    }
    case 'sysctl':
      if (t.offline) return `echo '${m} offline'`;
      return `f=${shq(sysctlPath(q.key))}
if [ -f "$f" ] && [ -r "$f" ]; then printf '%s b' '${m} ok'; ${B64} < "$f"; echo; else echo '${m} absent'; fi`;
    case 'unit':
      if (t.offline) return `echo '${m} offline'`;
      return `if command -v systemctl >/dev/null 2>&1; then printf '%s b' '${m} ok'; systemctl show -p LoadState -p ActiveState -p SubState -p UnitFileState -- ${shq(q.name)} 2>/dev/null | ${B64}; echo; else echo '${m} absent'; fi`;
    case 'cmd': {
      // On a chroot the command runs inside the root, like the target would run it.
      const run = t.root ? `chroot ${shq(t.root)} ${shArgv(q.argv)}` : shArgv(q.argv);
      return `(cd / && ${run}) </dev/null >"$T/o" 2>"$T/e"; r=$?
printf '%s %s b' '${m} ok' "$r"; ${B64} < "$T/o"; printf ' b'; ${B64} < "$T/e"; echo`;
    }
    case 'files': {
      // The folder part is resolved (inside the root on chroot) and quoted whole; only the last
      // part's wildcards expand. Names come back as the glob wrote them. On a chroot root a
      // matched symlink is skipped: the control machine would follow it outside the root.
      const at = q.glob.lastIndexOf('/');
      const [dir, pattern] = [q.glob.slice(0, at) || '/', q.glob.slice(at + 1)];
      const real = rooted(t.root, dir, true).replace(/\/+$/, '');
      const skipLinks = t.root ? ' && [ ! -L "$f" ]' : '';
      return `set --; for f in ${shq(real + '/')}${shGlob(pattern)}; do [ -f "$f" ] && [ -r "$f" ]${skipLinks} && set -- "$@" "$f"; done
if [ $# -gt 0 ]; then printf '%s b' '${m} files'; { echo $#; for f; do printf '%s%s\\0' ${shq(dir.replace(/\/+$/, '') + '/')} "\${f##*/}"; done; stat -L -c %s -- "$@"; cat -- "$@"; } | ${B64}; echo
else echo '${m} end'; fi`;
    }
    case 'system':
      return `printf '%s b' '${m} ok'; (
${systemFactsScript(t.offline)}
) 2>/dev/null </dev/null | ${B64}; echo`;
  }
}

/**
 * The whole gather as one script. Wrapped in a function that is called on the last line, so a
 * script cut short in transit runs nothing.
 */
export function composeGatherScript(queries: FactQuery[], t: GatherTarget, hostFactsScript: string): string {
  const body = queries.map((q, i) => queryScript(i, q, t)).join('\n');
  return `psd_gather() {
T=$(mktemp -d) || exit 90
b64() { base64 | tr -d '\\n'; }
nm() { awk -F: -v i="$2" '$3 == i { print $1; f = 1; exit } END { exit !f }' "$1" 2>/dev/null || { [ "$2" = 0 ] && echo root; } || echo "$2"; }
trap 'rm -rf "$T"' EXIT
ROOT=${shq(t.root)}; export ROOT
printf '%s b' '${MARK} host'; ( ${hostFactsScript}
) 2>/dev/null | ${B64}; echo
${body}
}
psd_gather
`;
}

export interface RawAnswer {
  status: string;
  fields: string[];
  items: string[][];
}

export interface ParsedGather {
  hostText: string;
  answers: Map<number, RawAnswer>;
}

const decode = (f: string) => Buffer.from(f.slice(1), 'base64').toString('utf8');

export function parseGatherOutput(stdout: string): ParsedGather {
  let hostText = '';
  const answers = new Map<number, RawAnswer>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(MARK + ' ')) continue;
    const [, id, status, ...rest] = line.split(' ');
    if (id === 'host') {
      hostText = decode(status ?? 'b');
      continue;
    }
    const n = Number(id);
    const prev = answers.get(n);
    if (status === 'files') {
      answers.set(n, { status: 'ok', fields: [], items: parseFilesPayload(Buffer.from((rest[0] ?? 'b').slice(1), 'base64')) });
    } else if (status === 'end') {
      if (!prev) answers.set(n, { status: 'ok', fields: [], items: [] });
    } else {
      // cmd: first field is the exit code, not base64
      const fields = rest.map((f) => (f.startsWith('b') ? decode(f) : f));
      answers.set(n, { status: status ?? 'absent', fields, items: [] });
    }
  }
  return { hostText, answers };
}

/** The `files` payload: "N\n", N names each ending in NUL, N sizes one per line, the contents. */
export function parseFilesPayload(buf: Buffer): string[][] {
  let at = buf.indexOf(0x0a);
  const count = Number(buf.subarray(0, at).toString());
  at++;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(0, at);
    names.push(buf.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(0x0a, at);
    sizes.push(Number(buf.subarray(at, end).toString()));
    at = end + 1;
  }
  if (buf.length - at !== sizes.reduce((a, b) => a + b, 0)) {
    throw new Error(`files ${names.join(', ')} changed while they were read; run again`);
  }
  return names.map((name, i) => {
    const content = buf.subarray(at, at + sizes[i]!).toString('utf8');
    at += sizes[i]!;
    return [name, content];
  });
}
