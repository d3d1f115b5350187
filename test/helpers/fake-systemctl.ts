// A stand-in `systemctl` for apply scripts run on this machine: it logs each call's arguments, so
// a test sees which systemctl commands ran and in what order; its daemon-reload fails on request.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileApplyScript, parseApplyOutput, type ScriptStep } from '../../src/exec/apply-script.js';
import { createLocalTransport } from '../../src/transport/local.js';

export function fakeSystemctl(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-systemctl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  writeFileSync(
    join(dir, 'systemctl'),
    `#!/bin/sh\necho "$*" >>'${log}'\nif [ "$*" = daemon-reload ] && [ -e '${dir}/fail' ]; then echo 'Failed to reload daemon' >&2; exit 1; fi\n`,
  );
  chmodSync(join(dir, 'systemctl'), 0o755);
  return {
    /** A temp folder for the test's files too. */
    dir,
    failReloads: () => writeFileSync(join(dir, 'fail'), ''),
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
    /** Compiles the steps for a live host and runs them here with the stand-in first on PATH. */
    async run(steps: ScriptStep[], forceHandlers = true, offline = false) {
      const { script } = compileApplyScript(steps, { root: '', offline }, forceHandlers);
      const res = await createLocalTransport().exec(`PATH='${dir}':$PATH; export PATH\n${script}`);
      return parseApplyOutput(res.stdout, steps.length);
    },
  };
}
