// `portsync-deploy PLAYBOOK` (apply, or --check) and `plan` (= --check --diff).
import { secrets } from '../secrets/redact.js';
import { runPlaybook } from '../exec/run.js';
import { watchSignals } from '../exec/interrupt.js';
import type { CliOptions } from './options.js';
import { reporterFor } from './reporter.js';
import { reportFile } from './report-file.js';
import { transportFactory } from './transports.js';
import { loadWorkspace } from './workspace.js';
import { stepThrough } from './step.js';
import { recordPhase } from '../timings.js';

export async function runCommand(o: CliOptions, playbook: string | undefined, check: boolean, diff: boolean): Promise<number> {
  const loading = performance.now();
  const ws = await loadWorkspace(o, playbook, check);
  await stepThrough(ws.plays, o);
  const report = reportFile(o);
  const reporter = reporterFor(o, diff, report?.collector);
  const log = (m: string) => o.verbose && !o.json && process.stderr.write(secrets.redactText(m) + '\n');
  const transportFor = await transportFactory(
    ws.plays.flatMap((p) => p.hosts),
    { acceptNewHostKeys: o.acceptNewHostKeys, log: (m) => void log(m), verbosity: o.verbosity },
  );
  // With --queue the host work goes to workers; the queue client loads only then.
  const work = o.queue
    ? (await import('./queue-run.js')).queuedWork(o, o.queue, playbook!, check, ws.plays, (m) => void log(m))
    : undefined;
  recordPhase('load', loading);
  const interrupt = watchSignals(() => {});
  try {
    const code = await runPlaybook(ws.plays, {
      env: ws.env,
      forks: o.forks,
      forceHandlers: o.forceHandlers,
      transportFor,
      reporter,
      interrupt,
      ...(work ? { work } : {}),
    });
    return report ? report.finish(code) : code;
  } finally {
    interrupt.dispose();
  }
}
