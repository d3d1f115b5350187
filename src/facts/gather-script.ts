// Composes every fact query of one host into ONE sh script, and parses its output.
// A process started on a switch costs milliseconds, so the script starts a fixed handful whatever
// the number of queries: answers are marker lines, every stat'ed path goes to one `stat` and one
// `sha256sum`, and every content (files, sysctl values, command output, unit state) travels in
// one base64 blob at the end: sizes first, then the bytes, so any bytes survive the trip.
import { dirname } from 'node:path';
import type { FactQuery } from './types.js';
import { MARK, rooted, shArgv, shGlob, shq } from '../script/shell.js';
import { systemFactsScript, volatileFactsScript } from './system-facts.js';
import { hostFactsScript, HOST_MARK } from './host-facts.js';

export function queryKey(q: FactQuery): string {
  switch (q.kind) {
    case 'host':
      return 'host';
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

/** Starts the lines of values that change between two reads of an unchanged host (free memory):
 *  `@@PSD volatile ID TEXT`. */
export const VOLATILE = `${MARK} volatile`;

/** A gather's output without its volatile lines: what stays the same while the host does. */
export const steadyOutput = (stdout: string): string => stdout.replace(new RegExp(`^${VOLATILE} .*\n`, 'gm'), '');

export interface GatherTarget {
  /** Transport root ('' on live systems). */
  root: string;
  /** Offline roots have no live sysctl or unit state: those queries are not sent. */
  offline: boolean;
}

/** Dots separate levels; a slash stands for a dot inside a name (net.ipv4.conf.eth0/100.rp_filter). */
export function sysctlPath(key: string): string {
  const parts = key.split('.').map((p) => p.replace(/\//g, '.'));
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`sysctl key ${key} does not name a file under /proc/sys`);
  return '/proc/sys/' + parts.join('/');
}

/** The stat format of the batch: type|mode|uid|gid|size|owner|group, one line per path. */
const STAT_FORMAT = `'%F|%a|%u|%g|%s|%U|%G'`;

/** `stat` text for one path: type|mode|uid|gid|size|owner|group; names as the target knows them. */
function statText(f: string, t: GatherTarget, dereference: boolean): string {
  const L = dereference ? '-L ' : '';
  if (!t.root) return `"$(stat ${L}-c ${STAT_FORMAT} -- ${f})"`;
  // An offline root's owners are named by its own passwd and group files, not the control machine's.
  const passwd = shq(rooted(t.root, '/etc/passwd', true));
  const group = shq(rooted(t.root, '/etc/group', true));
  return `"$(stat ${L}-c '%F|%a|%u|%g|%s' -- ${f})|$(nm ${passwd} "$(stat ${L}-c %u -- ${f})")|$(nm ${group} "$(stat ${L}-c %g -- ${f})")"`;
}

/** A path answered on its own, with a few processes: a link that leads nowhere, or any path on an
 *  offline root (owner names). A link's own mode means nothing, so what it leads to comes beside it. */
function statOne(m: string, q: { path: string }, t: GatherTarget): string {
  const followed = t.root ? shq(rooted(t.root, q.path, true)) : '"$f"';
  return `x=; y=; if [ -L "$f" ]; then x=$(readlink -- "$f"); l=${followed}; if [ -e "$l" ]; then y=${statText('"$l"', t, true)}; [ -f "$l" ] && y="$y|$(sha256sum < "$l" | cut -c1-64)"; fi
  elif [ -f "$f" ]; then x=$(sha256sum < "$f" | cut -c1-64); fi
  printf '%s b' '${m} one'; printf '%s|%s' ${statText('"$f"', t, false)} "$x" | b64; printf ' b'; printf '%s' "$y" | b64; echo`;
}

/**
 * Stat queries. On a live host every path that exists joins one `stat`, one `sha256sum` of the
 * readable regular files (links followed), and, when there are links, one `stat -L` and one
 * `readlink -z` into $T/links. Each path's status line says whether it is a link (l) and hashed (r).
 */
function statPhase(stats: [number, FactQuery & { kind: 'stat' }][], t: GatherTarget): string {
  if (stats.length === 0) return '';
  const lines = stats.map(([id, q]) => {
    const m = `${MARK} ${id}`;
    const one = statOne(m, q, t);
    const path = `f=${shq(rooted(t.root, q.path))}`;
    if (t.root) return `${path}\nif [ -e "$f" ] || [ -L "$f" ]; then ${one}\nelse echo '${m} absent'; fi`;
    return `${path}
if [ -e "$f" ]; then set -- "$@" "$f"; s=st; if [ -L "$f" ]; then s="st l"; k=1; fi; if [ -f "$f" ] && [ -r "$f" ]; then s="$s r"; fi; echo "${m} $s"
elif [ -L "$f" ]; then ${one}
else echo '${m} absent'; fi`;
  });
  return `set --; k=
${lines.join('\n')}
if [ $# -gt 0 ]; then
  echo '${MARK} stat'; stat -c ${STAT_FORMAT} -- "$@"
  if [ -n "$k" ]; then echo '${MARK} statl'; stat -L -c ${STAT_FORMAT} -- "$@"; links "$@"; fi
  echo '${MARK} sha'; sums "$@"
fi`;
}

/** The folders of the paths the queries read (files, stats, a glob's folder), kernel ones aside:
 *  where each leads is recorded, so an op can refuse to write through one that moved. */
export function recordedFolders(queries: FactQuery[]): string[] {
  const dirs = queries.flatMap((q) => (q.kind === 'stat' || q.kind === 'file' ? [q.path] : q.kind === 'files' ? [q.glob] : []));
  return [...new Set(dirs.filter((p) => p.startsWith('/') && !pseudoFile(p)).map((p) => dirname(p)))];
}

/** Where each recorded folder leads, NUL-separated, into the blob; live hosts only. */
function foldersPhase(dirs: string[], t: GatherTarget): string {
  if (t.root || dirs.length === 0) return '';
  const read = dirs.every(plainPath) ? `leads ${dirs.map(shq).join(' ')}` : `readlink -zm -- ${dirs.map(shq).join(' ')}`;
  return `${read} > "$T/d"; set -- "$@" "$T/d"; echo '${MARK} dirs'`;
}

/** An absolute path without empty, `.` or `..` parts: \`leads\` resolves it as \`readlink -m\` does. */
const plainPath = (p: string) => p === '/' || /^(\/(?!\.\.?(\/|$))[^/]+)+$/.test(p);

/** \`readlink -zm\` of plain paths by builtins: \`cd -P\` into the deepest part that exists, the
 *  rest appended as it is. A symlink that cannot be entered (one leading nowhere) goes to
 *  \`readlink\`, which follows it where \`cd\` cannot. */
const LEADS_FUNCTION = `leads() { for d; do p=$d; r=; x=
  while ! cd -P -- "$p" 2>/dev/null; do if [ -L "$p" ]; then x=1; break; fi; r=/\${p##*/}$r; p=\${p%/*}; p=\${p:-/}; done
  if [ -n "$x" ]; then readlink -zm -- "$d"; elif [ "$PWD" = / ] && [ -n "$r" ]; then printf '%s\\0' "$r"; else printf '%s\\0' "$PWD$r"; fi
  cd /; done; }`;

/** Kernel files whose size says nothing of their content (0 in procfs, 4096 in sysfs), and whose
 *  values a byte-by-byte read would cut short (procfs ints refuse a read at an offset). */
const pseudoFile = (path: string) => /^\/(proc|sys)\//.test(path);

/** Kernel files to read: copied into $T by one `cp --parents` (which reads until the end),
 *  so that the blob can frame them by size. */
function copyPhase(paths: string[]): string {
  if (paths.length === 0) return '';
  const lines = paths.map((p) => `f=${shq(p)}; [ -f "$f" ] && [ -r "$f" ] && set -- "$@" "$f"`);
  return `set --\n${lines.join('\n')}\n[ $# -eq 0 ] || cp --parents -- "$@" "$T" 2>/dev/null`;
}

/** A readable regular file's content into the blob: a kernel file by its copy, an empty file as
 *  /dev/null (its size frames nothing else). */
function addContent(m: string, path: string): string {
  if (pseudoFile(path)) return `c="$T$f"; if [ -f "$c" ]; then set -- "$@" "$c"; echo '${m} ok'; else echo '${m} absent'; fi`;
  return `if [ -f "$f" ] && [ -r "$f" ]; then if [ -s "$f" ]; then set -- "$@" "$f"; else set -- "$@" /dev/null; fi; echo '${m} ok'; else echo '${m} absent'; fi`;
}

/** `sh -c SCRIPT NAME ARGS...` as a subshell of the gather: the same script and arguments, one
 *  fork and no exec. eval keeps a syntax error of SCRIPT inside it, like the `sh` it stands for. */
function inShell(argv: string[]): string {
  const [sh, c, script, , ...args] = argv;
  if (sh !== 'sh' || c !== '-c' || script === undefined) throw new Error(`not an sh -c command: ${JSON.stringify(argv)}`);
  return `(set -- ${shArgv(args)}; eval ${shq(script)})`;
}

function blobQuery(id: number, q: FactQuery, t: GatherTarget): string {
  const m = `${MARK} ${id}`;
  switch (q.kind) {
    case 'file':
      // Only regular files are read: a FIFO or /dev/zero would never end.
      return `f=${shq(rooted(t.root, q.path, true))}\n${addContent(m, q.path)}`;
    case 'sysctl':
      if (t.offline) return `echo '${m} offline'`;
      return `f=${shq(sysctlPath(q.key))}\n${addContent(m, sysctlPath(q.key))}`;
    case 'cmd': {
      // On a chroot the command runs inside the root, like the target would run it.
      const run = t.root ? `chroot ${shq(t.root)} ${shArgv(q.argv)}` : q.inShell ? inShell(q.argv) : shArgv(q.argv);
      return `${run} </dev/null >"$T/o${id}" 2>"$T/e${id}"; r=$?; set -- "$@" "$T/o${id}" "$T/e${id}"; echo "${m} ok $r"`;
    }
    case 'files': {
      // The folder part is resolved (inside the root on chroot) and quoted whole; only the last
      // part's wildcards expand. Names come back as the glob wrote them. On a chroot root a
      // matched symlink is skipped: the control machine would follow it outside the root.
      const at = q.glob.lastIndexOf('/');
      const [dir, pattern] = [q.glob.slice(0, at) || '/', q.glob.slice(at + 1)];
      const real = rooted(t.root, dir, true).replace(/\/+$/, '');
      const skipLinks = t.root ? ' && [ ! -L "$f" ]' : '';
      const prefix = shq(dir.replace(/\/+$/, '') + '/');
      return `n=$#; : > "$T/n${id}"; set -- "$@" "$T/n${id}"
for f in ${shq(real + '/')}${shGlob(pattern)}; do [ -f "$f" ] && [ -r "$f" ]${skipLinks} && { printf '%s%s\\0' ${prefix} "\${f##*/}" >> "$T/n${id}"; set -- "$@" "$f"; }; done
echo "${m} files $(($# - n - 1))"`;
    }
    case 'system':
      // Ansible's fact subset (system-facts.ts): its sections into the blob, what changes between
      // two reads on lines of its own.
      return `(
${systemFactsScript(t.offline)}
) 2>/dev/null </dev/null > "$T/x${id}"; set -- "$@" "$T/x${id}"; echo '${m} ok'${t.offline ? '' : `\n${volatileFactsScript(`${VOLATILE} ${id}`)}`}`;
    default:
      return '';
  }
}

/** Unit state: every unit in one `systemctl show`, one block per unit in the order asked. It runs
 *  before the commands, which may ask `psd_unit_pid NAME` (the unit's MainPID into $psd_pid, from
 *  that same output) rather than start a `systemctl` of their own. */
function unitPhase(units: [number, FactQuery & { kind: 'unit' }][], t: GatherTarget): string {
  if (units.length === 0) return '';
  if (t.offline) return units.map(([id]) => `echo '${MARK} ${id} offline'`).join('\n');
  const names = units.map(([, q]) => shq(q.name)).join(' ');
  const ids = units.map(([id]) => id).join(' ');
  const cases = units.map(([, q], i) => `${shq(q.name)}) psd_k=${i};;`).join(' ');
  return `psd_unit_pid() { psd_pid=; case $1 in ${cases} *) return 1;; esac; psd_i=0
  while IFS= read -r psd_l; do case $psd_l in '') psd_i=$((psd_i + 1));; MainPID=*) [ $psd_i = $psd_k ] && { psd_pid=\${psd_l#MainPID=}; return 0; };; esac; done < "$T/u"; return 1; }
if command -v systemctl >/dev/null 2>&1; then
systemctl show -p LoadState -p ActiveState -p SubState -p UnitFileState -p MainPID -- ${names} > "$T/u" 2>/dev/null; set -- "$@" "$T/u"; echo '${MARK} units ${ids}'
else for i in ${ids}; do echo "${MARK} $i absent"; done; fi`;
}

/** The kernel files the file and sysctl queries read (as the target names them). */
function kernelFiles(queries: FactQuery[], t: GatherTarget): string[] {
  return queries.flatMap((q) => {
    if (q.kind === 'file' && pseudoFile(q.path)) return [rooted(t.root, q.path, true)];
    if (q.kind === 'sysctl' && !t.offline) return [sysctlPath(q.key)];
    return [];
  });
}

/**
 * The whole gather as one script. Wrapped in a function that is called on the last line, so a
 * script cut short in transit runs nothing.
 */
export function composeGatherScript(queries: FactQuery[], t: GatherTarget): string {
  const indexed = queries.map((q, i) => [i, q] as const);
  const of = <K extends FactQuery['kind']>(kind: K) =>
    indexed.filter((e): e is [number, Extract<FactQuery, { kind: K }>] => e[1].kind === kind);
  const blob = indexed.map(([i, q]) => blobQuery(i, q, t)).filter(Boolean);
  const units = unitPhase(of('unit'), t);
  const folders = foldersPhase(recordedFolders(queries), t);
  const needsTemp = blob.length > 0 || units !== '' || folders !== '' || (of('stat').length > 0 && !t.root);
  const parts = [
    `psd_gather() {
cd / || exit 90
b64() { base64 | tr -d '\\n'; }
# sha256sum of the readable regular files among the arguments (the list rotates through "$@").
sums() { for f; do shift; [ -f "$f" ] && [ -r "$f" ] && set -- "$@" "$f"; done; [ $# -eq 0 ] || sha256sum -- "$@" 2>/dev/null; }
links() { for f; do shift; [ -L "$f" ] && set -- "$@" "$f"; done; readlink -z -- "$@" > "$T/links"; }
nm() { awk -F: -v i="$2" '$3 == i { print $1; f = 1; exit } END { exit !f }' "$1" 2>/dev/null || { [ "$2" = 0 ] && echo root; } || echo "$2"; }
${LEADS_FUNCTION}
ROOT=${shq(t.root)}; export ROOT`,
    of('host').length ? hostFactsScript() : '',
    needsTemp ? `T=$(mktemp -d) || exit 90\ntrap 'rm -rf "$T"' EXIT` : '',
    statPhase(of('stat'), t),
    copyPhase(kernelFiles(queries, t)),
    needsTemp ? `set --\nif [ -f "$T/links" ]; then set -- "$T/links"; echo '${MARK} links'; fi` : '',
    folders,
    units,
    ...blob,
    needsTemp ? `if [ $# -gt 0 ]; then echo '${MARK} blob'; { stat -L -c %s -- "$@" && cat -- "$@"; } | base64 || exit 91; fi` : '',
    `}
psd_gather
`,
  ];
  return parts.filter(Boolean).join('\n');
}

export interface RawAnswer {
  status: string;
  fields: string[];
  items: string[][];
  /** The query's volatile lines (VOLATILE), without their prefix. */
  volatile?: string[];
}

export interface ParsedGather {
  /** The host section's values by name, when the host query was asked. */
  host?: Map<string, string>;
  /** Where each of `recordedFolders` leads, in that order (live hosts). */
  dirs?: string[];
  answers: Map<number, RawAnswer>;
}

const decode = (f: string) => Buffer.from(f.slice(1), 'base64').toString('utf8');

/** What reads the blob's entries: a query id and how many entries it took. */
interface BlobClaim {
  take: number;
  fill: (entries: Buffer[]) => void;
}

export function parseGatherOutput(stdout: string): ParsedGather {
  const answers = new Map<number, RawAnswer>();
  const lines = stdout.split('\n');
  const batched: Batched[] = [];
  const claims: BlobClaim[] = [];
  const section: Record<string, string[]> = { stat: [], statl: [], sha: [], blob: [] };
  let targets: string[] = [];
  let host: Map<string, string> | undefined;
  const volatile = new Map<number, string[]>();
  let dirs: string[] | undefined;
  let current: string[] | undefined;
  for (const line of lines) {
    if (!line.startsWith(MARK + ' ')) {
      current?.push(line);
      continue;
    }
    current = undefined;
    const [, id = '', status = '', ...rest] = line.split(' ');
    if (id === 'volatile') {
      const n = Number(status);
      volatile.set(n, [...(volatile.get(n) ?? []), rest.join(' ')]);
    } else if (id === HOST_MARK) {
      (host ??= new Map()).set(status, rest.join(' '));
    } else if (id === 'dirs') {
      claims.push({ take: 1, fill: ([e]) => (dirs = utf8(e).split('\0')) });
    } else if (id in section) {
      current = section[id];
    } else if (id === 'links') {
      claims.push({ take: 1, fill: ([e]) => (targets = utf8(e).split('\0')) });
    } else if (id === 'units') {
      const ids = [status, ...rest].map(Number);
      claims.push({ take: 1, fill: ([u]) => unitBlocks(u!.toString('utf8'), ids, answers) });
    } else {
      const n = Number(id);
      if (status === 'st') batched.push({ id: n, link: rest.includes('l'), hashed: rest.includes('r') });
      else if (status === 'one') answers.set(n, { status: 'ok', fields: rest.map(decode), items: [] });
      else if (status === 'files') claims.push({ take: 1 + Number(rest[0]), fill: (e) => answers.set(n, filesAnswer(e)) });
      else if (status === 'ok') {
        const rc = rest[0];
        claims.push({
          take: rc === undefined ? 1 : 2,
          fill: (e) => answers.set(n, { status: 'ok', fields: rc === undefined ? [utf8(e[0])] : [rc, utf8(e[0]), utf8(e[1])], items: [] }),
        });
      } else answers.set(n, { status, fields: [], items: [] });
    }
  }
  fillClaims(claims, section.blob!.join(''));
  statAnswers(batched, section, targets, answers);
  for (const [n, lines] of volatile) {
    const a = answers.get(n);
    if (a) a.volatile = lines;
  }
  return { ...(host ? { host } : {}), ...(dirs ? { dirs } : {}), answers };
}

const utf8 = (b: Buffer | undefined) => (b ?? Buffer.alloc(0)).toString('utf8');

interface Batched {
  id: number;
  link: boolean;
  hashed: boolean;
}

/** The i-th line of `stat` (and of `stat -L`) belongs to the i-th batched path; the sha256 lines
 *  to the hashed ones among them, the link targets to the links, both in the same order. */
function statAnswers(batched: Batched[], section: Record<string, string[]>, targets: string[], answers: Map<number, RawAnswer>): void {
  let sha = 0;
  let target = 0;
  batched.forEach(({ id, link, hashed }, i) => {
    const hash = hashed ? (/^\\?([0-9a-f]{64}) /.exec(section.sha![sha++] ?? '')?.[1] ?? '') : '';
    const own = section.stat![i] ?? '';
    const fields = link
      ? [`${own}|${targets[target++] ?? ''}`, `${section.statl![i] ?? ''}${hash ? `|${hash}` : ''}`]
      : [`${own}|${hash}`, ''];
    answers.set(id, { status: 'ok', fields, items: [] });
  });
}

/** Hands each claim its entries of the blob: N sizes, one per line, then N contents. */
function fillClaims(claims: BlobClaim[], base64: string): void {
  if (claims.length === 0) return;
  const buf = Buffer.from(base64, 'base64');
  const count = claims.reduce((a, c) => a + c.take, 0);
  let at = 0;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(0x0a, at);
    if (end < 0) throw new Error('fact gathering returned a cut-short answer; run again');
    sizes.push(Number(buf.subarray(at, end).toString()));
    at = end + 1;
  }
  if (buf.length - at !== sizes.reduce((a, b) => a + b, 0)) throw new Error('files changed while they were read; run again');
  const entries = sizes.map((size) => {
    const e = buf.subarray(at, at + size);
    at += size;
    return e;
  });
  let next = 0;
  for (const c of claims) {
    c.fill(entries.slice(next, next + c.take));
    next += c.take;
  }
}

/** A `files` answer: the names (each ending in NUL), then one content per name. */
function filesAnswer(entries: Buffer[]): RawAnswer {
  const names = utf8(entries[0]).split('\0').slice(0, -1);
  return { status: 'ok', fields: [], items: names.map((name, i) => [name, utf8(entries[i + 1])]) };
}

/** `systemctl show` of several units: blocks separated by an empty line, in the order asked. */
function unitBlocks(text: string, ids: number[], answers: Map<number, RawAnswer>): void {
  const blocks = text.split(/\n\n/);
  ids.forEach((id, i) => answers.set(id, { status: 'ok', fields: [blocks[i] ?? ''], items: [] }));
}
