// Kernel values of sysfs globs read for real on this machine, two ways: through a gather (the
// modules' queries, composed and run by sh as a live host runs them) and by `grep -H .`, the
// one command the modules ran for them before.
import { spawnSync } from 'node:child_process';
import { composeGatherScript } from '../../src/facts/gather-script.js';
import { readGather } from '../../src/facts/gather.js';
import { shGlob } from '../../src/script/shell.js';
import { sysfsValues, sysfsValuesQueries } from '../../modules/_tuning/sysfs-values.js';

export function gatheredSysfs(globs: string[], shell = 'sh'): Record<string, string> {
  const queries = sysfsValuesQueries(globs);
  const run = spawnSync(shell, ['-c', composeGatherScript(queries, { root: '', offline: false })], { maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`gather failed: ${run.stderr.toString()}`);
  return sysfsValues(readGather(queries, { rc: 0, stdout: '', stderr: '', raw: run.stdout }).facts, globs);
}

/** path -> value as `grep -H . -- GLOBS` prints them: each file's last non-empty line, trimmed. */
export function greppedSysfs(globs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const run = spawnSync('sh', ['-c', `grep -H . -- ${globs.map(shGlob).join(' ')} 2>/dev/null; true`], { encoding: 'utf8' });
  for (const line of run.stdout.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}
