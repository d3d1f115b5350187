// A host's apply and the gathers around it in ONE exec. The script first runs the host's gather
// again and compares a sha256 of its output with that of the gather the plan was made from: the
// same script prints the same bytes while the host is unchanged. Only when they match does the
// apply run ("drift" otherwise: nothing is applied). Either way the gather then runs once more,
// and its output is the host's next facts: the verify of this apply and the plan of the next play.
import { createHash } from 'node:crypto';
import { MARK } from '../script/shell.js';
import { outputText, steadyOutput, text, VOLATILE } from '../facts/gather-script.js';
import type { ExecResult } from '../transport/types.js';

export interface ApplyGuard {
  /** The host's gather script (facts/gather.ts `gatherScript`). */
  gather: string;
  /** sha256 of the output the plan was made from; null applies without comparing. */
  expected: string | null;
}

/** The digest a guard compares: of the gather's output (one char per byte) without its volatile
 *  lines (free memory moves on an unchanged host). */
export const outputDigest = (output: string): string => createHash('sha256').update(steadyOutput(output), 'latin1').digest('hex');

/** `apply` is a complete apply script (apply-script.ts), run in a subshell of its own. */
export function guardedScript(guard: ApplyGuard, apply: string): string {
  const compare =
    guard.expected === null
      ? 'true'
      : `[ "$( (psd_gather_again) 2>/dev/null | LC_ALL=C grep -av '^${VOLATILE} ' | sha256sum | cut -c1-64)" = ${guard.expected} ]`;
  return `psd_guarded() {
psd_gather_again() {
${guard.gather}}
psd_apply_now() {
${apply}}
if ${compare}; then echo '${MARK} guard ok'; (psd_apply_now); echo "${MARK} applied $?"
else echo '${MARK} guard drift'; fi
echo '${MARK} after'
(psd_gather_again)
}
psd_guarded
`;
}

export interface GuardedOutput {
  /** False: the host no longer matched the plan's facts and nothing was applied. */
  applied: boolean;
  /** The apply script's own output and exit code. */
  apply: ExecResult;
  /** The gather after it: stdout, stderr and exit code are the gather's. */
  after: ExecResult;
}

export function splitGuardedOutput(res: ExecResult): GuardedOutput {
  // Cut as bytes (one char each): the gather after the apply prints any bytes.
  const out = outputText(res);
  const at = out.indexOf(`${MARK} after\n`);
  const head = text(at < 0 ? out : out.slice(0, at));
  const applied = head.startsWith(`${MARK} guard ok\n`);
  const rc = new RegExp(`^${MARK} applied (\\d+)$`, 'm').exec(head);
  const applyOut = applied ? head.slice(`${MARK} guard ok\n`.length) : '';
  const gathered = Buffer.from(out.slice(at + `${MARK} after\n`.length), 'latin1');
  return {
    applied,
    // A script cut short before the apply ended reports no exit code: count it as a failure.
    apply: { rc: rc ? Number(rc[1]) : 1, stdout: applyOut, stderr: res.stderr },
    after:
      at < 0
        ? { rc: 1, stdout: '', stderr: `the gather after the apply did not run: ${res.stderr.trim()}` }
        : { rc: res.rc, stdout: gathered.toString('utf8'), stderr: res.stderr, raw: gathered },
  };
}
