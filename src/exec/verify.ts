// `verify`: gather once per host, run the planning pass with its `inspect` hook, and report per
// task each setting's desired, live and persisted value. Exit 3 when any host's plan has a
// problem (reported, located, once per problem with its hosts), 4 when a host is unreachable,
// 2 on drift.
import { EXIT, ValidationError, groupProblems, type Problem } from '../errors.js';
import { planHost } from '../plan/plan-host.js';
import type { PlanEnv } from '../plan/types.js';
import type { RunEvent } from '../report/events.js';
import { unreachableResult } from './apply-host.js';
import { runLimited } from './batches.js';
import { prepareAll } from './prepare-all.js';
import type { PlayInput, RunOptions } from './run.js';
import { HostSessions, isUnreachable } from './session.js';

export async function verifyPlaybook(plays: PlayInput[], opts: Omit<RunOptions, 'forceHandlers'>): Promise<number> {
  const env: PlanEnv = { ...opts.env, check: true };
  const sessions = new HostSessions(opts.transportFor);
  const emit = opts.reporter.emit.bind(opts.reporter);
  const problems: Problem[] = [];
  let drift = false;
  let unreachable = false;
  try {
    const { prepared, problems: early } = prepareAll(plays, env, sessions);
    if (early.length) throw new ValidationError(early);
    for (const [i, { play, hosts }] of plays.entries()) {
      emit({ event: 'play_start', play: play.name, hosts: hosts.map((h) => h.name), check: true });
      const events: RunEvent[] = [];
      await runLimited(
        prepared[i]!,
        opts.forks,
        async (prep) => {
          const vars = hosts.find((h) => h.name === prep.host)!.vars;
          try {
            const facts = await sessions.gather(prep.host, vars, prep.queries);
            const plan = planHost(prep, facts, env, sessions.existing(prep.host).offline, { inspect: true });
            for (const t of plan.tasks) {
              // A rescue on standby, a check_mode task and a handler flush converge nothing a run leaves.
              if (t.status === 'skipped' || t.standby || t.task.checkMode === true || t.flush) continue;
              const settings = t.settings ?? [];
              const ok = settings.every((s) => s.ok);
              if (!ok) drift = true;
              events.push({ event: 'verify', host: prep.host, task: t.task.name, settings, ok, ...(t.task.noLog ? { no_log: true } : {}) });
            }
          } catch (err) {
            if (err instanceof ValidationError) return void problems.push(...err.problems);
            if (!isUnreachable(err)) throw err;
            unreachable = true;
            events.push({ event: 'result', ...unreachableResult(prep.host, err.message) });
          }
        },
        () => !opts.interrupt?.signal,
      );
      if (problems.length) break;
      for (const e of events) emit(e);
    }
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
  } finally {
    await sessions.closeAll();
  }
  if (problems.length) {
    emit({ event: 'problems', problems: groupProblems(problems) });
    return EXIT.invalid;
  }
  return unreachable ? EXIT.unreachable : drift ? EXIT.changesPending : EXIT.ok;
}
