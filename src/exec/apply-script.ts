// Compiles a host's changes into ONE sh script with per-change status markers.
// Every put/symlink/upload lands atomically (temp file in the same folder, fsync, rename) and
// keeps the previous file as a hard-linked backup, so a change whose later op fails is rolled
// back whole. The script ignores INT/HUP/TERM/PIPE: once it runs, it runs to the end, and a
// script cut short in transit runs nothing (all of it is one function called on the last line).
import { randomBytes } from 'node:crypto';
import { dirname, basename } from 'node:path';
import type { Change, Op } from '../module.js';
import { MARK, base64Heredoc, rooted, shArgv, shq } from '../script/shell.js';
import { splitCommand } from '../script/shell-words.js';
import { LEADS_FUNCTION, leadsGuard, rootGuard, rootGuardFunction } from '../script/root-guard.js';
import { SharedReloads } from './shared-reload.js';

export interface ScriptStep {
  change: Change;
  /** Shell flags set when the step succeeds (handler notifications). */
  sets: string[];
  /** Handler steps run only when one of these flags is set. */
  when?: string[];
  /** A failure is reported and its change undone, and the host goes on (ignore_errors). */
  ignoreErrors?: boolean;
  /** Further shell condition for the step to run (the block part it sits in is active). */
  guard?: string;
  /** Shell run when it fails, instead of failing the host (the flag of the block part it sits in). */
  onFail?: string;
  /** The step fails with this message without running anything (a task the plan knows fails). */
  fails?: string;
  /** Shell only, no status (closing a block); reports nothing. */
  raw?: string;
}

export interface ScriptTarget {
  root: string;
  offline: boolean;
}

export interface CompiledScript {
  script: string;
  /** Upload ops' staging paths (as the target sees them), keyed by "step.op". */
  stages: Map<string, string>;
}

/** Failure-safe support functions: `x` runs a command capturing output; `fail` reports the error;
 *  `psd_id` maps a user or group name to its number in an offline root's own passwd/group file
 *  (root is 0 even in a root without one). */
const PRELUDE = `trap '' INT HUP TERM PIPE
umask 077
W=$(mktemp -d) || exit 90
E="$W/e"; O="$W/o"; : >"$E"
F=0; HF=0; OP=0
x() { s=$1; shift; "$@" </dev/null >"$O" 2>"$E"; r=$?
  if [ $r -ne 0 ]; then [ -s "$E" ] || cp "$O" "$E"; printf ' (exit %s)' $r >>"$E"; return 1; fi
  if [ "$s" = 1 ] && [ -s "$E" ]; then return 1; fi; return 0; }
fail() { printf '%s failed %s %s b' '${MARK}' "$1" "$OP"; base64 <"$E" | tr -d '\\n'; echo; }
psd_id() { case $2 in *[!0-9]*) N=$2 awk -F: '$1 == ENVIRON["N"] { print $3; f = 1; exit } END { exit !f }' "$1" 2>/dev/null || { [ "$2" = root ] && echo 0; } ;; *) echo "$2" ;; esac; }`;

/** Folders the tool creates are world-readable (0755) whatever the script's own umask, which
 *  keeps its temp files private: a unit's drop-in folder must be readable by everyone. */
export function mkdirShared(dirs: string): string {
  return `(umask 022 && mkdir -p ${dirs})`;
}

interface OpCode {
  /** Shell variables the op's other parts use; set before any op of the change runs. */
  setup: string;
  run: string;
  undo: string;
  commit: string;
}

/** The op's target and the files beside it, as shell variables named after the op. */
interface OpPaths {
  setup: string;
  P: string;
  T: string;
  B: string;
  S: string;
  DIR: string;
  /** Folders the op creates, for undo. */
  M: string;
  /** The check before anything is made or renamed through the op's folder (root-guard.ts). */
  guard: string;
}

function opPaths(op: Exclude<Op, { kind: 'exec' }>, follow: boolean, t: ScriptTarget, token: string, n: number, k: number): OpPaths {
  const path = op.path;
  const v = (name: string) => `${name}${n}_${k}`;
  // A chroot root is resolved here, inside the root; a live host resolves a followed link itself.
  const target = t.root || !follow ? shq(rooted(t.root, path, follow)) : `$(readlink -m -- ${shq(path)})`;
  const side = (ext: string) => `"\${${v('P')}%/*}/.\${${v('P')}##*/}.psd-${token}-${n}-${k}.${ext}"`;
  return {
    setup: `${v('P')}=${target} || return 1; ${v('T')}=${side('tmp')}; ${v('B')}=${side('bak')}; ${v('M')}=`,
    P: `"$${v('P')}"`,
    T: `"$${v('T')}"`,
    B: `"$${v('B')}"`,
    S: `"$${v('S')}"`,
    DIR: `"\${${v('P')}%/*}/"`,
    M: v('M'),
    guard: t.root ? rootGuard(t.root, `"$${v('P')}"`, ' 2>"$E" || return 1\n') : leadsGuard(path, op.dirLeads, ' 2>"$E" || return 1\n'),
  };
}

/** Make the target's folder, remembering the topmost one made so undo can remove it again; an
 *  existing one costs no process. */
function makeDir(p: OpPaths): string {
  return `${p.guard}${markMissing(p, p.DIR)}
[ -d ${p.DIR} ] || ${mkdirShared(p.DIR)} 2>"$E" || return 1`;
}

/** Drop the backup once the change holds; a new file had none. */
function dropBackup(B: string): string {
  return `{ [ ! -e ${B} ] && [ ! -L ${B} ]; } || rm -f ${B}`;
}

/** Sets the op's M to the topmost folder missing from `dir` up (empty when `dir` exists). */
function markMissing(p: OpPaths, dir: string): string {
  return `d=${dir}; d=\${d%/}; while [ -n "$d" ] && [ ! -e "$d" ] && [ ! -L "$d" ]; do ${p.M}=$d; d=\${d%/*}; done`;
}

function removeMadeDirs(p: OpPaths): string {
  return `[ -z "$${p.M}" ] || find "$${p.M}" -depth -type d -empty -delete 2>/dev/null`;
}

/** Keep the old file (hard link: same inode, costs nothing), then rename the new one over it. */
function commitOver(P: string, T: string, B: string, D: string, guard: string): string {
  return `${guard}if [ -e ${P} ] || [ -L ${P} ]; then ln -P -f ${P} ${B} 2>"$E" || return 1; fi
mv -Tf ${T} ${P} 2>"$E" || return 1; ${D}=1`;
}

function restore(P: string, B: string, D: string): string {
  return `if [ "\${${D}:-0}" = 1 ]; then if [ -e ${B} ] || [ -L ${B} ]; then mv -Tf ${B} ${P}; else rm -f ${P}; fi; fi; rm -f ${B}`;
}

/**
 * Mode: the declared one, else the previous regular file's, else 0644; never a symlink's (a link
 * reads 0777). Owner: the previous regular file's, then what is declared. On a chroot root, names
 * are looked up in the root's own /etc/passwd and /etc/group, not the control machine's.
 */
function permissions(op: { mode?: string; owner?: string; group?: string }, P: string, T: string, t: ScriptTarget): string {
  const regular = `[ -f ${P} ] && [ ! -L ${P} ]`;
  const mode = op.mode
    ? `chmod ${shq(op.mode)} ${T} 2>"$E" || return 1`
    : `if ${regular}; then chmod --reference=${P} ${T}; else chmod 0644 ${T}; fi 2>"$E" || return 1`;
  return [mode, `if ${regular}; then chown --reference=${P} ${T} 2>"$E" || return 1; fi`, ...declaredOwner(op, T, t)].join('\n');
}

/** chown/chgrp to the declared owner and group, if any. */
function declaredOwner(op: { owner?: string; group?: string }, T: string, t: ScriptTarget): string[] {
  if (op.owner === undefined && op.group === undefined) return [];
  if (!t.root) return [`chown ${shq(`${op.owner ?? ''}${op.group !== undefined ? ':' + op.group : ''}`)} ${T} 2>"$E" || return 1`];
  const lookup = (name: string, file: string, what: string) =>
    `$(psd_id ${shq(rooted(t.root, file, true))} ${shq(name)}) || { echo ${shq(`${what} ${name} is not in ${file} of ${t.root}`)} >"$E"; return 1; }`;
  const lines: string[] = [];
  if (op.owner !== undefined) lines.push(`u=${lookup(op.owner, '/etc/passwd', 'user')}`, `chown "$u" ${T} 2>"$E" || return 1`);
  if (op.group !== undefined) lines.push(`g=${lookup(op.group, '/etc/group', 'group')}`, `chgrp "$g" ${T} 2>"$E" || return 1`);
  return lines;
}

/** `validate` runs without a shell, given the temp file as an argument; on a chroot root, inside it. */
function validateCode(command: string, tmpInTarget: string, t: ScriptTarget): string {
  const parsed = splitCommand(command);
  if ('error' in parsed) throw new Error(`validate "${command}": ${parsed.error}`);
  const words = parsed.words.map((w) => w.split('%s').map(shq).join('"$V"'));
  const run = t.root ? `chroot ${shq(t.root)} ${words.join(' ')}` : `(cd / && exec ${words.join(' ')})`;
  return `V=${tmpInTarget}; ${run} </dev/null >"$E" 2>&1 || { printf ' (validate exit %s)' $? >>"$E"; return 1; }`;
}

function opCode(op: Op, n: number, k: number, t: ScriptTarget, token: string, stages: Map<string, string>): OpCode {
  const D = `D${n}_${k}`;
  const none = { setup: '', undo: '', commit: '' };
  if (op.kind === 'exec') {
    if (op.live && t.offline) return { run: `echo '${MARK} skip ${n} ${k}'`, ...none };
    const argv = t.root ? ['chroot', t.root, ...op.argv] : op.argv;
    return { run: `x ${op.strictStderr ? 1 : 0} ${shArgv(argv)} || return 1`, ...none };
  }
  const follow = (op.kind === 'put' || op.kind === 'upload') && op.follow === true;
  const p = opPaths(op, follow, t, token, n, k);
  const { P, T, B } = p;
  switch (op.kind) {
    case 'put': {
      // The temp file as the validate command sees it: inside the root on chroot.
      const base = t.root.replace(/\/+$/, '');
      const tmpInTarget = t.root ? `"\${${p.T.slice(2, -1)}#${shq(base)}}"` : T;
      const validate = op.validate ? `\n${validateCode(op.validate, tmpInTarget, t)}` : '';
      return {
        setup: p.setup,
        run: `${makeDir(p)}
${base64Heredoc(op.content, `${T} 2>"$E"`, `PSD_${token}_${n}_${k}`, ' || return 1')}
${permissions(op, P, T, t)}
sync ${T} 2>"$E" || return 1${validate}
${commitOver(P, T, B, D, p.guard)}`,
        undo: `rm -f ${T}; ${restore(P, B, D)}; ${removeMadeDirs(p)}`,
        commit: dropBackup(B),
      };
    }
    case 'upload': {
      // Staged beside the path as written (chroot: as resolved inside the root), before the script.
      const inRoot = t.root ? rooted(t.root, op.path).slice(t.root.replace(/\/+$/, '').length) : op.path;
      const stage = sidePath(inRoot, token, n, k, 'up');
      stages.set(`${n}.${k}`, stage);
      const S = shq(rooted(t.root, stage));
      // A followed link may lead to another folder (another file system): the rename must not cross it.
      const move = follow
        ? `if [ "\${S%/*}" != "\${${p.P.slice(2, -1)}%/*}" ]; then cp -- "$S" ${T} 2>"$E" && rm -f "$S" || return 1; S=${T}; fi\n`
        : '';
      return {
        setup: p.setup,
        run: `S=${S}; [ -f "$S" ] || { echo 'uploaded file is missing' >"$E"; return 1; }
${move}${permissions(op, P, '"$S"', t)}
${commitOver(P, '"$S"', B, D, p.guard)}`,
        undo: `rm -f ${T}; ${restore(P, B, D)}`,
        commit: dropBackup(B),
      };
    }
    case 'symlink':
      return {
        setup: p.setup,
        run: `${makeDir(p)}
rm -f ${T}; ln -s -- ${shq(op.target)} ${T} 2>"$E" || return 1
${commitOver(P, T, B, D, p.guard)}`,
        undo: `rm -f ${T}; ${restore(P, B, D)}; ${removeMadeDirs(p)}`,
        commit: dropBackup(B),
      };
    case 'dir': {
      // An existing folder's mode and owner are kept (as numbers) so undo can put them back.
      const A = `A${n}_${k}`;
      return {
        setup: p.setup,
        run: `${p.guard}if [ -e ${P} ] && { [ ! -d ${P} ] || [ -L ${P} ]; }; then echo 'exists and is not a folder' >"$E"; return 1; fi
${markMissing(p, P)}
[ -n "$${p.M}" ] || ${A}=$(stat -c '%a %u:%g' ${P} 2>"$E") || return 1
${mkdirShared(P)} 2>"$E" || return 1
${op.mode ? `chmod ${shq(op.mode)} ${P} 2>"$E" || return 1` : ':'}
${declaredOwner(op, P, t).join('\n') || ':'}`,
        undo: `if [ -n "$${p.M}" ]; then ${removeMadeDirs(p)}; elif [ -n "\${${A}:-}" ]; then chmod "\${${A}%% *}" ${P}; chown "\${${A}#* }" ${P}; fi`,
        commit: '',
      };
    }
    case 'remove':
      return {
        setup: p.setup,
        run: `${p.guard}if [ -e ${P} ] || [ -L ${P} ]; then mv -Tf ${P} ${B} 2>"$E" || return 1; ${D}=1; fi`,
        undo: `if [ "\${${D}:-0}" = 1 ]; then mv -Tf ${B} ${P}; fi`,
        commit: `rm -rf ${B}`,
      };
  }
}

function sidePath(target: string, token: string, n: number, k: number, ext: string): string {
  const dir = dirname(target);
  return `${dir === '/' ? '' : dir}/.${basename(target)}.psd-${token}-${n}-${k}.${ext}`;
}

export function compileApplyScript(steps: ScriptStep[], t: ScriptTarget, forceHandlers: boolean): CompiledScript {
  const token = randomBytes(4).toString('hex');
  const stages = new Map<string, string>();
  const parts: string[] = [];
  const reloads = new SharedReloads(
    steps.flatMap((s) => (s.raw === undefined ? s.change.ops : [])),
    (op) => !(op.kind === 'exec' && op.live && t.offline),
    (argv) => (t.root ? ['chroot', t.root, ...argv] : argv),
  );
  steps.forEach((step, n) => {
    if (step.raw !== undefined) {
      parts.push(step.raw);
      return;
    }
    const ops = step.change.ops.map((op, k) => opCode(op, n, k, t, token, stages));
    const setup = ops.map((o) => o.setup).filter(Boolean);
    const failing = step.fails === undefined ? [] : [`printf '%s' ${shq(step.fails)} >"$E"; return 1`];
    const body = [...setup, ...ops.map((o, k) => `OP=${k}\n${reloads.wrap(step.change.ops[k]!, n, o.run)}`), ...failing].join('\n');
    const undo = ops
      .map((o) => o.undo)
      .filter(Boolean)
      .reverse()
      .join('\n');
    const commit = ops
      .map((o) => o.commit)
      .filter(Boolean)
      .join('\n');
    const sets = step.sets.map((f) => `${f}=1; `).join('');
    const guard =
      (step.when
        ? `[ "$HF" = 0 ] && { [ "$F" = 0 ] || [ ${forceHandlers ? 1 : 0} = 1 ]; } && { ${step.when.map((f) => `[ "\${${f}:-0}" = 1 ]`).join(' || ')}; }`
        : `[ "$F" = 0 ]`) + (step.guard ? ` && ${step.guard}` : '');
    const onFail = step.ignoreErrors ? ':' : (step.onFail ?? (step.when ? 'HF=1' : 'F=1'));
    parts.push(`# ${step.change.summary.replace(/\n/g, ' ')}
s${n}() {
${body || ':'}
}
u${n}() {
${undo || ':'}
}
if ${guard}; then echo '${MARK} start ${n}'
  if s${n}; then ${commit ? `${commit.replace(/\n/g, '; ')}; ` : ''}${sets}echo '${MARK} ok ${n}'
  else fail ${n}; u${n}; ${onFail}; fi
fi`);
  });
  const cleanup = [...stages.values()].map((s) => shq(rooted(t.root, s)));
  return {
    script: `psd_apply() {
${PRELUDE}
${t.root ? rootGuardFunction(t.root) : LEADS_FUNCTION}
${[reloads.prelude(), ...parts, reloads.end()].filter(Boolean).join('\n')}
rm -rf "$W"${cleanup.length ? `; rm -f ${cleanup.join(' ')}` : ''}
}
psd_apply
`,
    stages,
  };
}

export interface StepOutcome {
  status: 'ok' | 'failed' | 'not-run';
  error?: string;
  failedOp?: number;
  /** Live ops not run because the root is offline. */
  skippedLive: number;
}

export function parseApplyOutput(stdout: string, count: number): StepOutcome[] {
  const out: StepOutcome[] = Array.from({ length: count }, () => ({ status: 'not-run', skippedLive: 0 }));
  const started = new Set<number>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(MARK + ' ')) continue;
    const [, what, nStr, kStr, msg] = line.split(' ');
    const step = out[Number(nStr)];
    if (!step) continue;
    if (what === 'start') started.add(Number(nStr));
    else if (what === 'ok') step.status = 'ok';
    else if (what === 'skip') step.skippedLive++;
    else if (what === 'failed') {
      step.status = 'failed';
      step.failedOp = Number(kStr);
      step.error = Buffer.from((msg ?? 'b').slice(1), 'base64')
        .toString('utf8')
        .trim();
    }
  }
  for (const n of started) {
    const step = out[n]!;
    if (step.status === 'not-run') Object.assign(step, { status: 'failed', error: 'interrupted before the change completed' });
  }
  return out;
}
