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
import { EarlyConnections } from './early-connect.js';

export async function runCommand(o: CliOptions, playbook: string | undefined, check: boolean, diff: boolean): Promise<number> {
  const loading = performance.now();
  const log = (m: string) => o.verbose && !o.json && process.stderr.write(secrets.redactText(m) + '\n');
  const transportOpts = { acceptNewHostKeys: o.acceptNewHostKeys, log: (m: string) => void log(m), verbosity: o.verbosity };
  // Hosts start connecting while the run loads, unless workers do the host work (--queue) or the
  // user is asked about each task first (--step).
  const early = o.queue === undefined && !o.step ? new EarlyConnections(o.forks, transportOpts) : undefined;
  let handedOver = false;
  try {
    const ws = await loadWorkspace(o, playbook, check, early?.playHosts);
    await stepThrough(ws.plays, o);
    const report = reportFile(o);
    const reporter = reporterFor(o, diff, report?.collector);
    const transportFor = await transportFactory(
      ws.plays.flatMap((p) => p.hosts),
      transportOpts,
    );
    early?.adopt(transportFor);
    // With --queue the host work goes to workers; the queue client loads only then.
    const work = o.queue
      ? (await import('./queue-run.js')).queuedWork(o, o.queue, playbook!, check, ws.plays, (m) => void log(m))
      : undefined;
    recordPhase('load', loading);
    const interrupt = watchSignals(() => {});
    handedOver = true;
    try {
      const code = await runPlaybook(ws.plays, {
        env: ws.env,
        forks: o.forks,
        forceHandlers: o.forceHandlers,
        transportFor,
        ...(early ? { sessions: early.sessions } : {}),
        reporter,
        interrupt,
        ...(work ? { work } : {}),
      });
      return report ? report.finish(code) : code;
    } finally {
      interrupt.dispose();
    }
  } finally {
    // A run that stopped before it began closes what it opened, before any login.
    if (!handedOver) await early?.sessions.closeAll();
    early?.dropDialled();
  }
}
