// Composes every fact query of one host into ONE sh script, and parses its output.
// A process started on a switch costs milliseconds, so the script starts a fixed handful whatever
// the number of queries: answers are marker lines, every stat'ed path goes to one `stat` and one
// `sha256sum`, and every content travels as raw bytes (SSH carries any): the regular files' and
// the kernel files' read by one `grep` at the end (the regular files framed by their sizes, the
// kernel files by name), the rest (command output, unit state, names) as segments streamed where
// they are read, each closed by a marker line holding a nonce no content can know. No temporary
// file, no encoding.
import { createHash, randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { FactQuery } from './types.js';
import type { ExecResult } from '../transport/types.js';
import { MARK, rooted, shArgv, shGlob, shq } from '../script/shell.js';
import { memoByString } from '../memo.js';
import { SYSTEM_SECTIONS, systemFactsScript, volatileFactsScript } from './system-facts.js';
import { hostFactsScript, HOST_MARK } from './host-facts.js';

/** What names a query within its kind: a path, key, unit or glob, a command's argv as JSON. */
export function queryField(q: FactQuery): string {
  switch (q.kind) {
    case 'host':
    case 'system':
      return '';
    case 'file':
    case 'stat':
      return q.path;
    case 'sysctl':
      return q.key;
    case 'unit':
      return q.name;
    case 'cmd':
      return JSON.stringify(q.argv);
    case 'files':
      return q.glob;
    case 'entries':
      return q.path;
  }
}

/** The key of the query of `kind` named by `field` (`queryField`). */
export function fieldKey(kind: FactQuery['kind'], field: string): string {
  return kind === 'host' || kind === 'system' ? kind : `${kind}:${field}`;
}

export function queryKey(q: FactQuery): string {
  return fieldKey(q.kind, queryField(q));
}

/** Lists uniqueQueries made: asked again of one (a host's gather script, then the reading of its
 *  output), it is taken as it is. */
const madeUnique = new WeakSet<FactQuery[]>();

export function uniqueQueries(queries: FactQuery[]): FactQuery[] {
  if (madeUnique.has(queries)) return queries;
  const seen = new Map<string, FactQuery>();
  for (const q of queries) {
    // Keyed once per query: a host asks for a hundred or so, and every host asks.
    const key = queryKey(q);
    const had = seen.get(key);
    if (had?.kind === 'system' && q.kind === 'system') seen.set(key, bothSections(had, q));
    else if (!had || (unhashed(had) && !unhashed(q))) seen.set(key, q);
  }
  const unique = [...seen.values()];
  madeUnique.add(unique);
  return unique;
}

/** One query of the sections either asks for, in the one order, so the script stays the same. */
function bothSections(a: FactQuery & { kind: 'system' }, b: FactQuery & { kind: 'system' }): FactQuery {
  if (!a.sections || !b.sections) return { kind: 'system' };
  const asked = new Set([...a.sections, ...b.sections]);
  return { kind: 'system', sections: SYSTEM_SECTIONS.filter((s) => asked.has(s)) };
}

const unhashed = (q: FactQuery) => q.kind === 'stat' && q.hash === false;

/** Starts the lines of values that change between two reads of an unchanged host (free memory):
 *  `@@PSD volatile ID TEXT`. */
export const VOLATILE = `${MARK} volatile`;
/** Starts every marker line. */
const MARK_SPACE = `${MARK} `;

/** A gather's output (one char per byte) without its volatile lines: what stays the same while
 *  the host does. */
export const steadyOutput = (output: string): string => output.replace(new RegExp(`^${VOLATILE} [^\n]*\n`, 'gm'), '');

/** This process's marks, made of its nonce, which closes every segment of a gather's output.
 *  Chosen once, so the same script (composed again for the guarded apply) prints the same bytes
 *  while the host is unchanged; random, so no content read from a host can close a segment early.
 *  Chosen at first use, as Node's crypto module loads only after a start's first connections. */
interface Marks {
  /** A segment: `@@PSD NONCE TAG` line, the bytes, `\n@@PSD NONCE\n`. */
  segment: string;
  segmentEnd: string;
  /** Starts a line that no content of a gather can print. */
  fence: string;
}
let marks: Marks | undefined;
function processMarks(): Marks {
  if (!marks) {
    const nonce = randomBytes(12).toString('hex');
    const segment = `${MARK} ${nonce}`;
    marks = { segment, segmentEnd: `\n${segment}\n`, fence: `${MARK}:${nonce}` };
  }
  return marks;
}

/** A line that no content of a gather can print, to split the output of scripts that run several
 *  gathers (the probe phase). */
export const fenceLine = (name: string): string => `${processMarks().fence} ${name}`;

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

/** A stat'ed path's own stat (no link followed) in the own segment: FIELDS, its name and \`%N\`,
 *  each ended by a NUL. Quoted literally, \`%N\` is the name again, and \` -> TARGET\` after it for a
 *  link: where it leads, with no process of its own (a path holds any byte but NUL). */
const OWN_FORMAT = '%F|%a|%u|%g|%s|%U|%G\\0%n\\0%N\\0';

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
function statOne(m: string, q: { path: string; hash?: false }, t: GatherTarget): string {
  const followed = t.root ? shq(rooted(t.root, q.path, true)) : '"$f"';
  const [hashLink, hashFile] =
    q.hash === false
      ? ['', '']
      : [`; [ -f "$l" ] && y="$y|$(sha256sum < "$l" | cut -c1-64)"`, `\n  elif [ -f "$f" ]; then x=$(sha256sum < "$f" | cut -c1-64)`];
  return `x=; y=; if [ -L "$f" ]; then x=$(readlink -- "$f"); l=${followed}; if [ -e "$l" ]; then y=${statText('"$l"', t, true)}${hashLink}; fi${hashFile}; fi
  printf '%s b' '${m} one'; printf '%s|%s' ${statText('"$f"', t, false)} "$x" | b64; printf ' b'; printf '%s' "$y" | b64; echo`;
}

/**
 * Stat queries. On a live host every path that exists joins the arguments ($psd_n of them, before
 * the blob's files): one `stat -L` at the end serves them and the blob's sizes, and only when there
 * are links one `stat` of their own, which also says where each link leads (the own segment). A
 * readable regular file (links followed) is hashed here from its content when a `file` query reads
 * it anyway (c<that query's id>), else by one `sha256sum` of all such files (r). Each path's status
 * line says whether it is a link (l) and how it is hashed.
 */
function statPhase(stats: [number, FactQuery & { kind: 'stat' }][], t: GatherTarget, read: Map<string, number>): string {
  if (stats.length === 0) return '';
  const lines = stats.map(([id, q]) => {
    const m = `${MARK} ${id}`;
    const one = statOne(m, q, t);
    const path = `f=${shq(rooted(t.root, q.path))}`;
    if (t.root) return `${path}\nif [ -e "$f" ] || [ -L "$f" ]; then ${one}\nelse echo '${m} absent'; fi`;
    const hashed = q.hash === false ? '' : read.has(q.path) ? `c${read.get(q.path)}` : 'r';
    const hash = hashed ? ` if [ -f "$f" ] && [ -r "$f" ]; then s="$s ${hashed}"; fi;` : '';
    return `${path}
if [ -e "$f" ]; then set -- "$@" "$f"; s=st; if [ -L "$f" ]; then s="st l"; k=1; fi;${hash} echo "${m} $s"
elif [ -L "$f" ]; then ${one}
else echo '${m} absent'; fi`;
  });
  const summed = t.root ? [] : stats.filter(([, q]) => q.hash !== false && !read.has(q.path)).map(([, q]) => shq(q.path));
  return `${lines.join('\n')}
psd_n=$#${summed.length ? `\nif [ $# -gt 0 ]; then echo '${MARK} sha'; sums ${summed.join(' ')}; fi` : ''}`;
}

/** The end: one \`stat -L\` of the stat'ed paths and the blob's files (the sizes that frame it),
 *  the stat'ed paths' own \`stat\` (with the links' targets) when some are links, the kernel
 *  globs' files named, then one \`grep\` reads the blob's files and the kernel files (psd_read). */
function endPhase(kernel: string[], globs: string): string {
  return `if [ $# -gt 0 ]; then
  if [ -n "$k" ]; then own $psd_n "$@"; fi
  echo "${MARK} statl $psd_n"
  if stat -L -c ${STAT_FORMAT} -- "$@"; then shift $psd_n; else set --; echo '${MARK} changed'; fi
fi
${globs}psd_read "$@"${kernel.map((f) => ` ${shq(f)}`).join('')}`;
}

/** A \`files\` glob of kernel files on a live host: its wildcards may stand in any part, and what
 *  it matches is read by the end's one \`grep\`, by name (their sizes say nothing). */
const kernelGlob = (glob: string, t: GatherTarget) => !t.root && pseudoFile(glob);

/** Each kernel glob's names, as the shell expands them, join the kernel files psd_read takes (its
 *  grep reads the readable regular files among them) and are listed, NUL-ended, in the query's
 *  segment by one printf (psd_tail: the arguments after the first $1): a file's content is found
 *  by its name. */
function kernelGlobPhase(globs: [number, FactQuery & { kind: 'files' }][]): string {
  if (globs.length === 0) return '';
  const each = globs.map(
    ([id, q]) => `psd_k=$#; set -- "$@" ${shGlob(q.glob)}; psd_b g${id}; psd_tail $psd_k "$@"; psd_e; echo '${MARK} ${id} globbed'\n`,
  );
  return `psd_tail() { shift $(($1 + 1)); printf '%s\\0' "$@"; }\n${each.join('')}`;
}

/** A folder's names (hidden ones aside), newest first, NUL-ended, by builtins: the newest left
 *  (\`-nt\`, nanoseconds; the first in name order of equal ones) is printed and taken out, until none
 *  is left. A function, so its \`set --\` leaves the gather's arguments alone. */
const NEWEST_FUNCTION = `psd_newest() { psd_d=$1; set --; for psd_f in "$psd_d"/*; do { [ -e "$psd_f" ] || [ -L "$psd_f" ]; } && set -- "$@" "$psd_f"; done
  while [ $# -gt 0 ]; do psd_o=$1; for psd_f; do [ "$psd_f" -nt "$psd_o" ] && psd_o=$psd_f; done; printf '%s\\0' "\${psd_o##*/}"
    psd_x=; for psd_f; do shift; if [ -z "$psd_x" ] && [ "$psd_f" = "$psd_o" ]; then psd_x=1; else set -- "$@" "$psd_f"; fi; done; done; }`;

/** The folders of the paths the queries read (files, stats, a glob's folder), kernel ones aside:
 *  where each leads is recorded, so an op can refuse to write through one that moved. */
export function recordedFolders(queries: FactQuery[]): string[] {
  return [...recordedFolderIndex(queries).keys()];
}

/** Each of `recordedFolders(queries)` with its place in that list: a host's facts find where a
 *  folder led by it. */
export function recordedFolderIndex(queries: FactQuery[]): Map<string, number> {
  const index = new Map<string, number>();
  for (const q of queries) {
    const dir =
      q.kind === 'stat' || q.kind === 'file' ? recordedFolderOf(q.path) : q.kind === 'files' ? recordedFolderOf(q.glob) : undefined;
    if (dir !== undefined && !index.has(dir)) index.set(dir, index.size);
  }
  return index;
}

/** The folder of a path whose lead is recorded; none for a relative path or a kernel file. Every
 *  host reads mostly the same paths. */
const recordedFolderOf = memoByString(
  (path): string | undefined => (path.startsWith('/') && !pseudoFile(path) ? dirname(path) : undefined),
  4096,
);

/** Where each recorded folder leads, NUL-separated, as a segment; live hosts only. */
function foldersPhase(dirs: string[], t: GatherTarget): string {
  if (t.root || dirs.length === 0) return '';
  const read = dirs.every(plainPath) ? `leads ${dirs.map(shq).join(' ')}` : `readlink -zm -- ${dirs.map(shq).join(' ')}`;
  return `psd_b dirs; ${read}; psd_e`;
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

/** The blob's files, then the kernel files, read by one `grep` (which reads each file until its
 *  end in one go, as procfs wants; `cat` would need the sizes kernel files do not tell): every
 *  NUL-ended "line" after its file's name and a NUL, and its byte offset in the file, so a read of
 *  a file starts at offset 0 even right after a read of the same file (readSegment keeps the
 *  first). What is not a readable regular file gives nothing: grep skips folders, devices and
 *  FIFOs (without opening them to wait) and says nothing of a file it cannot read, where a test
 *  of each file by the shell would cost a switch two system calls per file. Its exit code says
 *  nothing: a kernel file may refuse a read, and a blob file that changed shows in its size. */
const READ_FUNCTION = `psd_read() { [ $# -eq 0 ] || { psd_b read; LC_ALL=C grep -sabzHZ -d skip -D skip -- '' "$@" 2>/dev/null; psd_e; }; }`;

/** A readable regular file's content: a kernel file's from the read segment (by the name grep
 *  gives it, hex), another into the blob, an empty one as /dev/null (its size frames nothing else). */
function addContent(m: string, kernel?: string): string {
  if (kernel !== undefined)
    return `if [ -f "$f" ] && [ -r "$f" ]; then echo '${m} kernel ${Buffer.from(kernel).toString('hex')}'; else echo '${m} absent'; fi`;
  return `if [ -f "$f" ] && [ -r "$f" ]; then if [ -s "$f" ]; then set -- "$@" "$f"; else set -- "$@" /dev/null; fi; echo '${m} ok'; else echo '${m} absent'; fi`;
}

/** `sh -c SCRIPT NAME ARGS...` run by the gather's own shell: the same script and arguments, no
 *  exec. It runs in the subshell of the command substitution that keeps its stderr; eval keeps a
 *  syntax error of SCRIPT inside it, like the `sh` it stands for. */
function inShell(argv: string[]): string {
  const [sh, c, script, , ...args] = argv;
  if (sh !== 'sh' || c !== '-c' || script === undefined) throw new Error(`not an sh -c command: ${JSON.stringify(argv)}`);
  return `set -- ${shArgv(args)}; eval ${shq(script)}`;
}

function blobQuery(id: number, q: FactQuery, t: GatherTarget): string {
  const m = `${MARK} ${id}`;
  switch (q.kind) {
    case 'file': {
      // Only regular files are read: a FIFO or /dev/zero would never end.
      const f = rooted(t.root, q.path, true);
      return `f=${shq(f)}\n${addContent(m, pseudoFile(q.path) ? f : undefined)}`;
    }
    case 'sysctl':
      if (t.offline) return `echo '${m} offline'`;
      return `f=${shq(sysctlPath(q.key))}\n${addContent(m, sysctlPath(q.key))}`;
    case 'cmd': {
      // On a chroot the command runs inside the root, like the target would run it. Its stdout
      // streams out as it comes (fd 3: the gather's stdout); its stderr is kept, which leaves it
      // without its trailing newlines.
      const run = t.root ? `chroot ${shq(t.root)} ${shArgv(q.argv)}` : q.inShell ? inShell(q.argv) : shArgv(q.argv);
      const ran = `psd_b o${id}; psd_x=$(${run} </dev/null 2>&1 >&3 3>&-); r=$?; psd_e; psd_b e${id}; printf '%s' "$psd_x"; psd_e; echo "${m} ok $r"`;
      if (t.root || !q.quietWhenExist?.length) return ran;
      // The answer it would give, in the same bytes, by builtins: a subshell costs a switch a millisecond.
      const exist = q.quietWhenExist.map((p) => `[ -e ${shq(p)} ]`).join(' && ');
      return `if ${exist}; then psd_b o${id}; psd_e; psd_b e${id}; psd_e; echo '${m} ok 0'; else ${ran}; fi`;
    }
    case 'files': {
      // Kernel files on a live host: named and read at the end (kernelGlobPhase).
      if (kernelGlob(q.glob, t)) return '';
      // The folder part is resolved (inside the root on chroot) and quoted whole; only the last
      // part's wildcards expand. Names come back as the glob wrote them. On a chroot root a
      // matched symlink is skipped: the control machine would follow it outside the root.
      const at = q.glob.lastIndexOf('/');
      const [dir, pattern] = [q.glob.slice(0, at) || '/', q.glob.slice(at + 1)];
      const real = rooted(t.root, dir, true).replace(/\/+$/, '');
      const skipLinks = t.root ? ' && [ ! -L "$f" ]' : '';
      const prefix = shq(dir.replace(/\/+$/, '') + '/');
      return `n=$#; psd_b n${id}
for f in ${shq(real + '/')}${shGlob(pattern)}; do [ -f "$f" ] && [ -r "$f" ]${skipLinks} && { printf '%s%s\\0' ${prefix} "\${f##*/}"; set -- "$@" "$f"; }; done
psd_e; echo "${m} files $(($# - n))"`;
    }
    case 'entries':
      return `f=${shq(rooted(t.root, q.path, true))}\nif [ -d "$f" ]; then psd_b t${id}; psd_newest "$f"; psd_e; echo '${m} entries'; else echo '${m} absent'; fi`;
    case 'system':
      // Ansible's fact subset (system-facts.ts): its sections into the blob, what changes between
      // two reads on lines of its own.
      return `psd_b x${id}; (
${systemFactsScript(t.offline, q.sections)}
) 2>/dev/null </dev/null; psd_e; echo '${m} text'${t.offline || !(q.sections ?? SYSTEM_SECTIONS).includes('memory') ? '' : `\n${volatileFactsScript(`${VOLATILE} ${id}`)}`}`;
    default:
      return '';
  }
}

/** Unit state: every unit in one `systemctl show`, one block per unit in the order asked. It runs
 *  before the commands, which may ask `psd_unit_pid NAME` (the unit's MainPID into $psd_pid, from
 *  that same output, kept in $psd_units) rather than start a `systemctl` of their own. */
function unitPhase(units: [number, FactQuery & { kind: 'unit' }][], t: GatherTarget): string {
  if (units.length === 0) return '';
  if (t.offline) return units.map(([id]) => `echo '${MARK} ${id} offline'`).join('\n');
  const names = units.map(([, q]) => shq(q.name)).join(' ');
  const ids = units.map(([id]) => id).join(' ');
  const cases = units.map(([, q], i) => `${shq(q.name)}) psd_k=${i};;`).join(' ');
  return `psd_unit_pid() { psd_pid=; case $1 in ${cases} *) return 1;; esac; psd_i=0
  while IFS= read -r psd_l; do case $psd_l in '') psd_i=$((psd_i + 1));; MainPID=*) [ $psd_i = $psd_k ] && { psd_pid=\${psd_l#MainPID=}; return 0; };; esac; done <<PSD_UNITS
$psd_units
PSD_UNITS
  return 1; }
if command -v systemctl >/dev/null 2>&1; then
psd_units=$(systemctl show -p LoadState -p ActiveState -p SubState -p UnitFileState -p MainPID -- ${names} 2>/dev/null); psd_b 'units ${ids}'; printf '%s' "$psd_units"; psd_e
else for i in ${ids}; do echo "${MARK} $i absent"; done; fi`;
}

/** The kernel files the file and sysctl queries read (as the target names them), each once: their
 *  contents are found by name. */
function kernelFiles(queries: FactQuery[], t: GatherTarget): string[] {
  const files = queries.flatMap((q) => {
    if (q.kind === 'file' && pseudoFile(q.path)) return [rooted(t.root, q.path, true)];
    if (q.kind === 'sysctl' && !t.offline) return [sysctlPath(q.key)];
    return [];
  });
  return [...new Set(files)];
}

/**
 * The whole gather as one script. Wrapped in a function that is called on the last line, so a
 * script cut short in transit runs nothing; fd 3 is its stdout, where commands whose stderr is
 * kept write their output.
 */
export function composeGatherScript(queries: FactQuery[], t: GatherTarget): string {
  const indexed = queries.map((q, i) => [i, q] as const);
  const of = <K extends FactQuery['kind']>(kind: K) =>
    indexed.filter((e): e is [number, Extract<FactQuery, { kind: K }>] => e[1].kind === kind);
  const blob = indexed.map(([i, q]) => blobQuery(i, q, t)).filter(Boolean);
  const units = unitPhase(of('unit'), t);
  const folders = foldersPhase(recordedFolders(queries), t);
  const { segment } = processMarks();
  const parts = [
    `psd_gather() {
cd / || exit 90
psd_b() { printf '%s %s\\n' '${segment}' "$1"; }
psd_e() { printf '\\n%s\\n' '${segment}'; }
b64() { base64 | tr -d '\\n'; }
# sha256sum of the readable regular files among the arguments (the list rotates through "$@").
sums() { for f; do shift; [ -f "$f" ] && [ -r "$f" ] && set -- "$@" "$f"; done; [ $# -eq 0 ] || sha256sum -- "$@" 2>/dev/null; }
# The first $1 of the other arguments (the stat'ed paths): their own stat, and where the links lead.
own() { n=$1; shift; i=0; for f; do shift; [ $i -lt $n ] && set -- "$@" "$f"; i=$((i + 1)); done
  psd_b own; QUOTING_STYLE=literal stat --printf '${OWN_FORMAT}' -- "$@"; r=$?; psd_e; [ $r = 0 ] || echo '${MARK} changed'; }
nm() { awk -F: -v i="$2" '$3 == i { print $1; f = 1; exit } END { exit !f }' "$1" 2>/dev/null || { [ "$2" = 0 ] && echo root; } || echo "$2"; }
${LEADS_FUNCTION}
${READ_FUNCTION}${of('entries').length ? `\n${NEWEST_FUNCTION}` : ''}
ROOT=${shq(t.root)}; export ROOT
set --; k=; psd_n=0`,
    of('host').length ? hostFactsScript() : '',
    statPhase(
      of('stat'),
      t,
      t.root
        ? new Map()
        : new Map(
            of('file')
              .filter(([, q]) => !pseudoFile(q.path))
              .map(([i, q]) => [q.path, i]),
          ),
    ),
    folders,
    units,
    ...blob,
    `${endPhase(kernelFiles(queries, t), kernelGlobPhase(of('files').filter(([, q]) => kernelGlob(q.glob, t))))}
}
psd_gather 3>&1
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
  /** Marker lines that are not the gather's (a probe phase's action results). */
  other: string[];
}

const decode = (f: string) => Buffer.from(f.slice(1), 'base64').toString('utf8');

/** What reads the blob's entries: a query id and how many entries it took. */
interface BlobClaim {
  take: number;
  fill: (entries: Buffer[]) => void;
}

/** A gather's output split into its own lines (outside segments, as text) and its segments by
 *  tag (one char per byte). */
function splitSegments(output: string): { lines: string[]; segments: Map<string, string> } {
  const lines: string[] = [];
  const segments = new Map<string, string>();
  const { segment, segmentEnd } = processMarks();
  const begin = `${segment} `;
  for (let at = 0; at < output.length;) {
    const eol = output.indexOf('\n', at);
    const line = output.slice(at, eol < 0 ? output.length : eol);
    at = eol < 0 ? output.length : eol + 1;
    if (!line.startsWith(begin)) {
      lines.push(text(line));
      continue;
    }
    const end = output.indexOf(segmentEnd, at);
    if (end < 0) throw new Error('fact gathering returned a cut-short answer; run again');
    segments.set(line.slice(begin.length), output.slice(at, end));
    at = end + segmentEnd.length;
  }
  return { lines, segments };
}

/** The output of a script that ran several gathers, cut at a `fenceLine(name)`: before, after
 *  (undefined when the script never got there). */
export function splitAtFence(output: string, name: string): [string, string | undefined] {
  const fence = `${fenceLine(name)}\n`;
  const at = `\n${output}`.indexOf(`\n${fence}`);
  return at < 0 ? [output, undefined] : [output.slice(0, at), output.slice(at + fence.length)];
}

/** Parses a gather's output, given one char per byte (latin1: `outputText`); marker lines that
 *  are not the gather's own come back as `other`. */
export function parseGatherOutput(output: string): ParsedGather {
  const answers = new Map<number, RawAnswer>();
  const { lines, segments } = splitSegments(output);
  const segment = (tag: string) => segments.get(tag) ?? '';
  const batched: Batched[] = [];
  const claims: BlobClaim[] = [];
  const section: Record<string, string[]> = { statl: [], sha: [] };
  let statted = 0;
  let host: Map<string, string> | undefined;
  const volatile = new Map<number, string[]>();
  const other: string[] = [];
  const kernelRead: [number, string][] = [];
  const globbed: number[] = [];
  const contents = new Map<number, Buffer>();
  let current: string[] | undefined;
  for (const line of lines) {
    if (!line.startsWith(MARK_SPACE)) {
      current?.push(line);
      continue;
    }
    current = undefined;
    // Read by index: a run parses a gather per host, too few for V8 to optimise this loop, and
    // unoptimised code destructures a list through its iterator.
    const parts = line.split(' ');
    const id = parts[1] ?? '';
    const status = parts[2] ?? '';
    const rest = parts.slice(3);
    if (id === 'volatile') {
      const n = Number(status);
      volatile.set(n, [...(volatile.get(n) ?? []), rest.join(' ')]);
    } else if (id === HOST_MARK) {
      (host ??= new Map()).set(status, rest.join(' '));
    } else if (id in section) {
      current = section[id];
      if (id === 'statl') statted = Number(status);
    } else if (id === 'changed') {
      throw new Error('files changed while they were read; run again');
    } else if (!/^\d+$/.test(id)) {
      other.push(line);
    } else {
      const n = Number(id);
      const ok = (fields: string[]) => answers.set(n, { status: 'ok', fields, items: [] });
      if (status === 'st') {
        const read = rest.find((f) => /^c\d+$/.test(f));
        batched.push({ id: n, link: rest.includes('l'), hashed: rest.includes('r'), ...(read ? { read: Number(read.slice(1)) } : {}) });
      } else if (status === 'one') ok(rest.map(decode));
      else if (status === 'files') {
        const names = text(segment(`n${n}`))
          .split('\0')
          .slice(0, -1);
        claims.push({
          take: Number(rest[0]),
          fill: (e) => answers.set(n, { status: 'ok', fields: [], items: names.map((name, i) => [name, utf8(e[i])]) }),
        });
      } else if (status === 'ok' && rest[0] !== undefined) ok([rest[0], text(segment(`o${n}`)), text(segment(`e${n}`))]);
      else if (status === 'ok') claims.push({ take: 1, fill: ([e]) => (contents.set(n, e ?? Buffer.alloc(0)), ok([utf8(e)])) });
      else if (status === 'text') ok([text(segment(`x${n}`))]);
      else if (status === 'kernel') kernelRead.push([n, Buffer.from(rest[0] ?? '', 'hex').toString('latin1')]);
      else if (status === 'globbed') globbed.push(n);
      else if (status === 'entries')
        answers.set(n, {
          status: 'ok',
          fields: [],
          items: text(segment(`t${n}`))
            .split('\0')
            .slice(0, -1)
            .map((name) => [name]),
        });
      else answers.set(n, { status, fields: [], items: [] });
    }
  }
  const units = [...segments.keys()].find((tag) => tag.startsWith('units '));
  if (units) unitBlocks(text(segment(units)), units.split(' ').slice(1).map(Number), answers);
  const sizes = section.statl!.slice(statted).map((l) => Number(l.split('|')[4]));
  const read = readSegment(segment('read'), blobSizes(claims, sizes));
  fillClaims(claims, read.blob);
  for (const [n, name] of kernelRead) answers.set(n, { status: 'ok', fields: [read.kernel.get(name) ?? ''], items: [] });
  for (const n of globbed) {
    // What the glob expanded to, less what gave no content (not a readable file, or empty).
    const names = segment(`g${n}`)
      .split('\0')
      .filter((name) => read.kernel.has(name));
    answers.set(n, { status: 'ok', fields: [], items: names.map((name) => [text(name), read.kernel.get(name)!]) });
  }
  const sha = (id: number) => {
    const c = contents.get(id);
    return c ? createHash('sha256').update(c).digest('hex') : '';
  };
  statAnswers(batched, section, ownStats(segments.get('own')), sha, answers);
  for (const [n, lines] of volatile) {
    const a = answers.get(n);
    if (a) a.volatile = lines;
  }
  const dirs = segments.has('dirs') ? text(segment('dirs')).split('\0') : undefined;
  return { ...(host ? { host } : {}), ...(dirs ? { dirs } : {}), answers, other };
}

/** A byte past ASCII, in bytes given one char per byte. */
const NOT_ASCII = /[\x80-\xff]/;
/** Bytes given one char per byte, as the UTF-8 text they hold. ASCII is the same either way, and
 *  most of a gather is: it is given back as it is, without a Buffer made for each line. */
export const text = (bytes: string): string => (NOT_ASCII.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes);

/** An exec's stdout one char per byte (latin1), as the parsers and digests of gathers take it. */
export const outputText = (res: ExecResult): string => (res.raw ?? Buffer.from(res.stdout)).toString('latin1');

/** The read segment (psd_read): records NAME NUL OFFSET:LINE NUL. The blob's files come first,
 *  each framed by its size: its lines joined by NULs, and one more NUL when that makes the size
 *  (grep ends the last line with one when the file does not). The kernel files follow, by name, as
 *  text whose every line ends with a newline: a kernel value always does. A record at offset 0
 *  starts a read of its file. */
function readSegment(seg: string, sizes: number[]): { blob: string[]; kernel: Map<string, string> } {
  const records: [name: string, line: string, first: boolean][] = [];
  for (let at = 0; at < seg.length;) {
    const cut = seg.indexOf('\0', at);
    const colon = cut < 0 ? -1 : seg.indexOf(':', cut + 1);
    const end = colon < 0 ? -1 : seg.indexOf('\0', colon + 1);
    const offset = seg.slice(cut + 1, colon);
    if (end < 0 || !/^\d+$/.test(offset)) throw new Error('fact gathering returned a cut-short answer; run again');
    records.push([seg.slice(at, cut), seg.slice(colon + 1, end), offset === '0']);
    at = end + 1;
  }
  let next = 0;
  const changed = () => new Error('files changed while they were read; run again');
  const blob = sizes.map((size) => {
    const lines: string[] = [];
    // The bytes of the lines taken so far and the NULs between them.
    for (let length = -1; size > 0;) {
      const record = records[next++];
      if (record === undefined) throw changed();
      const name = record[0];
      const line = record[1];
      // Each file's records are one read of it, from its start.
      if (record[2] !== (lines.length === 0) || (lines.length && name !== records[next - 2]![0])) throw changed();
      lines.push(line);
      length += line.length + 1;
      if (length === size) break;
      if (length + 1 === size) return lines.join('\0') + '\0';
      if (length > size) throw changed();
    }
    return lines.join('\0');
  });
  const kernel = new Map<string, string[]>();
  // A file both a glob and a name ask for is read twice: its first run of records stands.
  let run: string[] | undefined;
  let last: string | undefined;
  for (let i = next; i < records.length; i++) {
    const record = records[i]!;
    const name = record[0];
    if (record[2] || name !== last) run = kernel.has(name) ? undefined : kernel.set(name, []).get(name);
    last = name;
    run?.push(record[1]);
  }
  const files = new Map<string, string>();
  for (const [name, lines] of kernel) {
    const bytes = lines.join('\0');
    files.set(name, text(bytes.endsWith('\n') ? bytes : bytes + '\n'));
  }
  return { blob, kernel: files };
}

const utf8 = (b: Buffer | undefined) => (b ?? Buffer.alloc(0)).toString('utf8');

interface Batched {
  id: number;
  link: boolean;
  /** Among the paths `sha256sum` hashed. */
  hashed: boolean;
  /** Hashed here, from the content of this `file` query. */
  read?: number;
}

interface OwnStat {
  fields: string;
  /** Where it leads, for a link. */
  target?: string;
}

/** The own segment (OWN_FORMAT), one entry per stat'ed path; undefined without it. A path checked
 *  as a link that no longer is one changed while it was read. */
function ownStats(seg: string | undefined): OwnStat[] | undefined {
  if (seg === undefined) return undefined;
  const parts = seg.split('\0');
  const out: OwnStat[] = [];
  for (let i = 0; i + 3 < parts.length; i += 3) {
    const fields = parts[i] ?? '';
    const name = parts[i + 1] ?? '';
    const quoted = parts[i + 2] ?? '';
    const link = `${name} -> `;
    out.push({ fields: text(fields), ...(quoted.startsWith(link) ? { target: text(quoted.slice(link.length)) } : {}) });
  }
  return out;
}

/** The i-th line of `stat -L` (and entry of the own stats) belongs to the i-th batched path; the
 *  sha256 lines to the hashed ones among them, in the same order. */
function statAnswers(
  batched: Batched[],
  section: Record<string, string[]>,
  own: OwnStat[] | undefined,
  contentHash: (id: number) => string,
  answers: Map<number, RawAnswer>,
): void {
  let sha = 0;
  batched.forEach(({ id, link, hashed, read }, i) => {
    const hash = hashed ? (/^\\?([0-9a-f]{64}) /.exec(section.sha![sha++] ?? '')?.[1] ?? '') : read !== undefined ? contentHash(read) : '';
    // Without links there is no `stat` of their own: `stat -L` says the same of every other path.
    const self = own ? own[i] : { fields: section.statl![i] ?? '' };
    if (self === undefined || (link && self.target === undefined)) throw new Error('files changed while they were read; run again');
    const fields = link
      ? [`${self.fields}|${self.target}`, `${section.statl![i] ?? ''}${hash ? `|${hash}` : ''}`]
      : [`${self.fields}|${hash}`, ''];
    answers.set(id, { status: 'ok', fields, items: [] });
  });
}

/** The sizes of the blob's files as \`stat -L\` gave them, one per entry the claims take. */
function blobSizes(claims: BlobClaim[], sizes: number[]): number[] {
  if (claims.length === 0) return [];
  const count = claims.reduce((a, c) => a + c.take, 0);
  if (sizes.length !== count || sizes.some((n) => !Number.isSafeInteger(n) || n < 0))
    throw new Error('fact gathering returned a cut-short answer; run again');
  return sizes;
}

/** Hands each claim its entries of the blob: the files' contents (one char per byte) one after
 *  the other, as readSegment framed them by their sizes. */
function fillClaims(claims: BlobClaim[], blob: string[]): void {
  const entries = blob.map((e) => Buffer.from(e, 'latin1'));
  let next = 0;
  for (const c of claims) {
    c.fill(entries.slice(next, next + c.take));
    next += c.take;
  }
}

/** `systemctl show` of several units: blocks separated by an empty line, in the order asked. */
function unitBlocks(text: string, ids: number[], answers: Map<number, RawAnswer>): void {
  const blocks = text.split(/\n\n/);
  ids.forEach((id, i) => answers.set(id, { status: 'ok', fields: [blocks[i] ?? ''], items: [] }));
}
