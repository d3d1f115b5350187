// The `ip -batch` processes that change links in the benchmark's namespace.
// zx runs them: `$` with nothrow and quiet gives a process handle whose stdin a
// pacer writes and whose end is awaited without error plumbing, and its
// `timeout` option stops unpaced generators after a fixed time (killing the
// process tree) instead of hand-kept timers and kill calls.
import { $ } from 'zx';
import { toggleLines } from './measure.js';
import { sleep } from '../../test/daemon/helpers/env.js';

const gen = $({ nothrow: true, quiet: true });
const MAX_QUEUED_BYTES = 64 << 10;

/** Runs `lines` through one `ip -batch` in the namespace; rejects when ip fails. */
export async function ipBatch(ns: string, lines: string[]): Promise<void> {
  await $({ quiet: true, input: lines.join('\n') + '\n' })`exec ip -n ${ns} -force -batch -`;
}

/**
 * Writes `commandsPerS` toggles of `ports` per second to one running `ip -batch`,
 * in 20 ms steps, calling `tick` every `everyS` seconds; steps ip cannot take are
 * skipped, so the achieved rate is what the caller measures. Resolves with the seconds
 * until ip has run every command: a generator that fell behind must not keep
 * changing links afterwards.
 */
export async function pace(
  ns: string,
  ports: string[],
  commandsPerS: number,
  seconds: number,
  everyS: number,
  tick: (elapsed: number) => void,
): Promise<number> {
  const ip = gen`exec ip -n ${ns} -force -batch -`;
  const lines = toggleLines(ports, 64 * ports.length);
  let due = 0;
  let line = 0; // continues across skipped steps, so every written line still toggles its port
  let next = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    const elapsed = (Date.now() - t0) / 1000;
    const chunk: string[] = [];
    // Commands ip has not taken stay queued here; past MAX_QUEUED_BYTES ip is the limit, and
    // queueing more would only keep it changing links after the pacing ended.
    const room = ip.stdin.writableLength < MAX_QUEUED_BYTES;
    for (; due < commandsPerS * elapsed; due++) if (room) chunk.push(lines[line++ % lines.length]!);
    if (chunk.length) ip.stdin.write(chunk.join('\n') + '\n');
    if (elapsed >= next) {
      tick(elapsed);
      next += everyS;
    }
    await sleep(20);
  }
  ip.stdin.end();
  await ip;
  return (Date.now() - t0) / 1000;
}

/**
 * As many toggles as `generators` parallel `ip -batch` processes manage for
 * `seconds`, each on its own share of the ports. Resolves with the seconds until
 * the last one stopped (earlier if they ran out of commands).
 */
export async function unpaced(ns: string, ports: string[], generators: number, seconds: number): Promise<number> {
  // More commands than ip gets through in that time, so the timeout ends it.
  const perGenerator = Math.ceil((seconds * 60000) / generators);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: generators }, (_, g) => {
      const mine = ports.filter((_, i) => i % generators === g);
      const ip = $({ nothrow: true, quiet: true, timeout: seconds * 1000 })`exec ip -n ${ns} -force -batch -`;
      ip.stdin.on('error', () => {}); // EPIPE: the timeout stopped ip before it read every command, as intended
      ip.stdin.end(toggleLines(mine, perGenerator).join('\n') + '\n');
      return ip;
    }),
  );
  return (Date.now() - t0) / 1000;
}
