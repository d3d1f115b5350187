// `verify`: gather once per host, then for every task report each setting's desired, live and
// persisted value (module.inspect); modules without inspect show live vs desired from the
// changes the planner finds pending (verify-settings.ts).
import { EXIT } from '../errors.js';
import type { SettingState } from '../module.js';
import { planContext, type TaskSink } from '../plan/context.js';
import { planHost } from '../plan/plan-host.js';
import { prepareHost } from '../plan/prepare.js';
import { isChange, type PlanEnv, type PreparedHost, type TaskPlan } from '../plan/types.js';
import type { Facts } from '../facts/types.js';
import { unreachableResult } from './apply-host.js';
import { runLimited } from './batches.js';
import type { PlayInput, RunOptions } from './run.js';
import { HostSessions, isUnreachable } from './session.js';
import { convergedSetting, settingsFromChange } from './verify-settings.js';

export async function verifyPlaybook(plays: PlayInput[], opts: Omit<RunOptions, 'forceHandlers'>): Promise<number> {
  const env: PlanEnv = { ...opts.env, check: true };
  const sessions = new HostSessions(opts.transportFor);
  const emit = opts.reporter.emit.bind(opts.reporter);
  let drift = false;
  let unreachable = false;
  try {
    const prepared = plays.map(({ play, hosts }) => hosts.map((h) => prepareHost(play, h.name, h.vars, env, sessions.transport(h.name, h.vars).offline)));
    const problems = prepared.flat().flatMap((p) => p.problems);
    if (problems.length) {
      emit({ event: 'problems', problems });
      return EXIT.invalid;
    }
    for (const [i, { play, hosts }] of plays.entries()) {
      emit({ event: 'play_start', play: play.name, hosts: hosts.map((h) => h.name), check: true });
      await runLimited(
        prepared[i]!,
        opts.forks,
        async (prep) => {
          const vars = hosts.find((h) => h.name === prep.host)!.vars;
          try {
            const facts = await sessions.gather(prep.host, vars, prep.queries);
            const offline = sessions.transport(prep.host, vars).offline;
            for (const t of planHost(prep, facts, env, offline).tasks) {
              if (t.status === 'skipped') continue;
              const settings = settingsOf(prep, t, facts, env, offline);
              const ok = settings.every((s) => s.ok);
              if (!ok) drift = true;
              emit({ event: 'verify', host: prep.host, task: t.task.name, settings, ok });
            }
          } catch (err) {
            if (!isUnreachable(err)) throw err;
            unreachable = true;
            emit({ event: 'result', ...unreachableResult(prep.host, err.message) });
          }
        },
        () => !opts.interrupt?.signal,
      );
    }
  } finally {
    await sessions.closeAll();
  }
  return unreachable ? EXIT.unreachable : drift ? EXIT.changesPending : EXIT.ok;
}

function settingsOf(prep: PreparedHost, t: TaskPlan, facts: Facts, env: PlanEnv, offline: boolean): SettingState[] {
  const p = prep.tasks.find((x) => x.index === t.index)!;
  if (p.module.inspect) {
    const sink: TaskSink = { warnings: [], problems: [] };
    return p.module.inspect(facts, p.args, planContext(prep.host, prep.vars, p.task, p.args, env, offline, sink));
  }
  const pending = t.changes.filter(isChange);
  if (!pending.length) return [convergedSetting(p.task.module, p.args)];
  return pending.flatMap(settingsFromChange);
}
