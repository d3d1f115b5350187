// `--queue`: the coordinator's checks before any job is queued and the work factory that sends
// the run's host work to the workers of each host's group; and, for a worker, the options it
// loads a coordinator's run with.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import type { PlayInput, WorkFactory } from '../exec/run.js';
import { posOf } from '../source-map.js';
import type { CliOptions } from './options.js';
import { DEFAULT_GROUP, GROUP_VAR, groupProblem, parseQueueUrl } from '../queue/connection.js';
import { QueueWork } from '../queue/queue-work.js';
import type { RunSpec } from '../queue/spec.js';

/** `log`: the coordinator's -vvv lines, which the workers' lines join. */
export function queuedWork(
  o: CliOptions,
  url: string,
  playbook: string,
  check: boolean,
  plays: PlayInput[],
  log: (m: string) => void,
): WorkFactory {
  const conn = parseQueueUrl(url);
  const problems: Problem[] = [];
  const groups = new Map<string, string>();
  for (const { hosts } of plays) {
    for (const h of hosts) {
      const group = h.vars[GROUP_VAR] ?? DEFAULT_GROUP;
      const bad = groupProblem(group);
      if (bad) problems.push({ message: bad, host: h.name, pos: posOf(h.vars, GROUP_VAR) });
      else groups.set(h.name, group as string);
    }
  }
  if (problems.length) throw new ValidationError(problems);
  const spec = runSpec(randomUUID(), o, playbook, check);
  return (_plays, _prepared, _sessions, live) =>
    new QueueWork(spec, conn, (host) => groups.get(host) ?? DEFAULT_GROUP, o.queueTimeout * 1000, live, log);
}

/** Paths made absolute, so that a worker started elsewhere reads the same files. */
export function runSpec(id: string, o: CliOptions, playbook: string, check: boolean): RunSpec {
  return {
    id,
    playbook: resolve(playbook),
    inventory: o.inventory.map((i) => resolve(i)),
    extraVars: o.extraVars.map((e) => (e.trim().startsWith('@') ? `@${resolve(e.trim().slice(1))}` : e)),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    tags: o.tags,
    skipTags: o.skipTags,
    ...(o.startAtTask !== undefined ? { startAtTask: o.startAtTask } : {}),
    check,
    connectionVars: o.connectionVars,
    forceHandlers: o.forceHandlers,
    acceptNewHostKeys: o.acceptNewHostKeys,
    verbosity: o.verbosity,
  };
}

/** The options a worker loads the run with: the coordinator's, over the worker's own. */
export function specOptions(spec: RunSpec, own: CliOptions): CliOptions {
  return {
    ...own,
    inventory: spec.inventory,
    extraVars: spec.extraVars,
    limit: spec.limit,
    tags: spec.tags,
    skipTags: spec.skipTags,
    startAtTask: spec.startAtTask,
    connectionVars: spec.connectionVars,
    forceHandlers: spec.forceHandlers,
    acceptNewHostKeys: spec.acceptNewHostKeys,
    verbose: false,
  };
}
