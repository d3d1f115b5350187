// What Ansible registers for a command task: rc, stdout, stderr and their lines. Without output
// (check mode skipped it) Ansible's check-mode result: rc 0, empty output, skipped.
import type { CmdFact } from '../../src/facts/types.js';

export function commandResult(cmd: string | string[], out?: CmdFact): Record<string, unknown> {
  // Ansible strips one trailing newline from each stream.
  const strip = (s: string) => s.replace(/\r?\n$/, '');
  const stdout = out ? strip(out.stdout) : '';
  const stderr = out ? strip(out.stderr) : '';
  return {
    changed: false,
    cmd,
    rc: out ? out.rc : 0,
    stdout,
    stderr,
    stdout_lines: stdout === '' ? [] : stdout.split(/\r?\n/),
    stderr_lines: stderr === '' ? [] : stderr.split(/\r?\n/),
    start: null,
    end: null,
    delta: null,
    msg: out ? (out.rc === 0 ? '' : 'non-zero return code') : 'Command would have run if not in check mode',
    ...(out ? {} : { skipped: true }),
  };
}
