// Compiles a host's changes into ONE sh script with per-change status markers.
// Every put/symlink/upload lands atomically (temp file in the same folder, fsync, rename) and
// keeps the previous file as a hard-linked backup, so a change whose later op fails is rolled
// back whole. The script ignores INT/HUP/TERM/PIPE: once it runs, it runs to the end, and a
// script cut short in transit runs nothing (all of it is one function called on the last line).
import { randomBytes } from 'node:crypto';
import { dirname, basename } from 'node:path';
import type { Change, Op } from '../module.js';
import { MARK, base64Heredoc, rooted, shArgv, shq } from '../transport/shell.js';

export interface ScriptStep {
  change: Change;
  /** Shell flags set when the step succeeds (handler notifications). */
  sets: string[];
  /** Handler steps run only when one of these flags is set. */
  when?: string[];
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

/** Failure-safe support functions: `x` runs a command capturing output; `fail` reports the error. */
const PRELUDE = `trap '' INT HUP TERM PIPE
umask 077
W=$(mktemp -d) || exit 90
E="$W/e"; O="$W/o"; : >"$E"
F=0; HF=0; OP=0
x() { s=$1; shift; "$@" </dev/null >"$O" 2>"$E"; r=$?
  if [ $r -ne 0 ]; then [ -s "$E" ] || cp "$O" "$E"; printf ' (exit %s)' $r >>"$E"; return 1; fi
  if [ "$s" = 1 ] && [ -s "$E" ]; then return 1; fi; return 0; }
fail() { printf '%s failed %s %s b' '${MARK}' "$1" "$OP"; base64 <"$E" | tr -d '\\n'; echo; }`;

/** Folders the tool creates are world-readable (0755) whatever the script's own umask, which
 *  keeps its temp files private: a unit's drop-in folder must be readable by everyone. */
export function mkdirShared(dirs: string): string {
  return `(umask 022 && mkdir -p ${dirs})`;
}

interface OpCode {
  run: string;
  undo: string;
  commit: string;
}

function sidePaths(target: string, token: string, n: number, k: number) {
  const dir = dirname(target);
  const stem = `${dir === '/' ? '' : dir}/.${basename(target)}.psd-${token}-${n}-${k}`;
  return { dir, tmp: `${stem}.tmp`, bak: `${stem}.bak`, stage: `${stem}.up` };
}

/** Keep the old file (hard link: same inode, costs nothing), then rename the new one over it. */
function commitOver(P: string, T: string, B: string, D: string): string {
  return `if [ -e ${P} ] || [ -L ${P} ]; then ln -P -f ${P} ${B} 2>"$E" || return 1; fi
mv -Tf ${T} ${P} 2>"$E" || return 1; ${D}=1`;
}

function restore(P: string, B: string, D: string): string {
  return `if [ "\${${D}:-0}" = 1 ]; then if [ -e ${B} ] || [ -L ${B} ]; then mv -Tf ${B} ${P}; else rm -f ${P}; fi; fi; rm -f ${B}`;
}

function permissions(op: { mode?: string; owner?: string; group?: string }, P: string, T: string): string {
  const mode = op.mode
    ? `chmod ${shq(op.mode)} ${T} 2>"$E" || return 1`
    : `if [ -e ${P} ]; then chmod --reference=${P} ${T}; else chmod 0644 ${T}; fi 2>"$E" || return 1`;
  const who = op.owner ? op.owner + (op.group ? ':' + op.group : '') : op.group ? ':' + op.group : '';
  const owner = who
    ? `chown ${shq(who)} ${T} 2>"$E" || return 1`
    : `if [ -e ${P} ]; then chown --reference=${P} ${T} 2>"$E" || return 1; fi`;
  return `${mode}\n${owner}`;
}

function opCode(op: Op, n: number, k: number, t: ScriptTarget, token: string, stages: Map<string, string>): OpCode {
  const D = `D${n}_${k}`;
  const none = { undo: '', commit: '' };
  if (op.kind === 'exec') {
    if (op.live && t.offline) return { run: `echo '${MARK} skip ${n} ${k}'`, ...none };
    const argv = t.root ? ['chroot', t.root, ...op.argv] : op.argv;
    return { run: `x ${op.strictStderr ? 1 : 0} ${shArgv(argv)} || return 1`, ...none };
  }
  const target = rooted(t.root, op.path);
  const side = sidePaths(target, token, n, k);
  const [P, T, B, DIR] = [shq(target), shq(side.tmp), shq(side.bak), shq(side.dir)];
  const mkdir = `${mkdirShared(DIR)} 2>"$E" || return 1`;
  switch (op.kind) {
    case 'put': {
      const validate = op.validate ? `\n(${op.validate.split('%s').join(T)}) </dev/null >"$E" 2>&1 || return 1` : '';
      return {
        run: `${mkdir}
${base64Heredoc(op.content, `${T} 2>"$E"`, `PSD_${token}_${n}_${k}`, ' || return 1')}
${permissions(op, P, T)}
sync ${T} 2>"$E" || return 1${validate}
${commitOver(P, T, B, D)}`,
        undo: `rm -f ${T}; ${restore(P, B, D)}`,
        commit: `rm -f ${B}`,
      };
    }
    case 'upload': {
      const stage = sidePaths(op.path, token, n, k).stage;
      stages.set(`${n}.${k}`, stage);
      const S = shq(rooted(t.root, stage));
      return {
        run: `[ -f ${S} ] || { echo 'uploaded file is missing' >"$E"; return 1; }
${permissions({ mode: op.mode }, P, S)}
${commitOver(P, S, B, D)}`,
        undo: restore(P, B, D),
        commit: `rm -f ${B}`,
      };
    }
    case 'symlink':
      return {
        run: `${mkdir}
rm -f ${T}; ln -s ${shq(op.target)} ${T} 2>"$E" || return 1
${commitOver(P, T, B, D)}`,
        undo: `rm -f ${T}; ${restore(P, B, D)}`,
        commit: `rm -f ${B}`,
      };
    case 'remove':
      return {
        run: `if [ -e ${P} ] || [ -L ${P} ]; then mv -Tf ${P} ${B} 2>"$E" || return 1; ${D}=1; fi`,
        undo: `if [ "\${${D}:-0}" = 1 ]; then mv -Tf ${B} ${P}; fi`,
        commit: `rm -rf ${B}`,
      };
  }
}

export function compileApplyScript(steps: ScriptStep[], t: ScriptTarget, forceHandlers: boolean): CompiledScript {
  const token = randomBytes(4).toString('hex');
  const stages = new Map<string, string>();
  const parts: string[] = [];
  steps.forEach((step, n) => {
    const ops = step.change.ops.map((op, k) => opCode(op, n, k, t, token, stages));
    const body = ops.map((o, k) => `OP=${k}\n${o.run}`).join('\n');
    const undo = ops.map((o) => o.undo).filter(Boolean).reverse().join('\n');
    const commit = ops.map((o) => o.commit).filter(Boolean).join('\n');
    const sets = step.sets.map((f) => `${f}=1; `).join('');
    const guard = step.when
      ? `[ "$HF" = 0 ] && { [ "$F" = 0 ] || [ ${forceHandlers ? 1 : 0} = 1 ]; } && { ${step.when.map((f) => `[ "\${${f}:-0}" = 1 ]`).join(' || ')}; }`
      : `[ "$F" = 0 ]`;
    const onFail = step.when ? 'HF=1' : 'F=1';
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
${parts.join('\n')}
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
      step.error = Buffer.from((msg ?? 'b').slice(1), 'base64').toString('utf8').trim();
    }
  }
  for (const n of started) {
    const step = out[n]!;
    if (step.status === 'not-run') Object.assign(step, { status: 'failed', error: 'interrupted before the change completed' });
  }
  return out;
}
