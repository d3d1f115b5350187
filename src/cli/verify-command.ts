// `verify PLAYBOOK -i INV`: per host and setting, desired vs live vs persisted; exit 2 on drift.
import { verifyPlaybook } from '../exec/verify.js';
import { watchSignals } from '../exec/interrupt.js';
import type { CliOptions } from './options.js';
import { reporterFor } from './reporter.js';
import { reportFile } from './report-file.js';
import { transportFactory } from './transports.js';
import { loadWorkspace } from './workspace.js';

export async function verifyCommand(o: CliOptions, playbook: string | undefined): Promise<number> {
  const ws = await loadWorkspace(o, playbook, true);
  const report = reportFile(o);
  const transportFor = await transportFactory(
    ws.plays.flatMap((p) => p.hosts),
    { acceptNewHostKeys: o.acceptNewHostKeys, log: () => {} },
  );
  const interrupt = watchSignals(() => {});
  try {
    const code = await verifyPlaybook(ws.plays, {
      env: ws.env,
      forks: o.forks,
      transportFor,
      reporter: reporterFor(o, false, report?.collector),
      interrupt,
    });
    return report ? report.finish(code) : code;
  } finally {
    interrupt.dispose();
  }
}
