// What the report shows, derived from the timed event stream: plays with their batches on a
// time axis, results per play, rollbacks and halts, the latest health checks per host, verify.
import type { Problem } from '../../errors.js';
import type { ProbeResult, SettingState } from '../../module.js';
import type { TaskResult } from '../../exec/results.js';
import type { HealthInput } from './page.js';
import type { HostRecap } from '../events.js';
import type { TimedEvent } from './collect.js';

export interface BatchView {
  n: number;
  hosts: string[];
  start: number;
  end: number;
  /** A host of the batch failed a task or a health check, or was rolled back. */
  failed: boolean;
}

export interface PlayView {
  name: string;
  check: boolean;
  hosts: number;
  start: number;
  end: number;
  batches: BatchView[];
  results: TaskResult[];
}

export interface HostHealthView {
  checks: ProbeResult[];
  error?: string;
}

export interface ReportModel {
  plays: PlayView[];
  recap?: Record<string, HostRecap>;
  halts: string[];
  rollbacks: TaskResult[];
  health: Map<string, HostHealthView>;
  verify: { host: string; task: string; settings: SettingState[]; ok: boolean }[];
  problems: Problem[];
  interrupted?: string;
  stats: Map<string, { roundTrips: number; bytesUploaded: number }>;
}

const isRollback = (r: TaskResult) => r.task === 'rollback' || r.task.startsWith('health after rollback');

export function buildModel(events: readonly TimedEvent[], finished: number, health?: HealthInput): ReportModel {
  const m: ReportModel = { plays: [], halts: [], rollbacks: [], health: new Map(), verify: [], problems: [], stats: new Map() };
  let play: PlayView | undefined;
  const endBatch = (t: number) => {
    const b = play?.batches.at(-1);
    if (b && b.end === 0) b.end = t;
  };
  const endPlay = (t: number) => {
    endBatch(t);
    if (play && play.end === 0) play.end = t;
  };
  for (const { t, e } of events) {
    switch (e.event) {
      case 'play_start':
        endPlay(t);
        play = { name: e.play, check: e.check, hosts: e.hosts.length, start: t, end: 0, batches: [], results: [] };
        m.plays.push(play);
        break;
      case 'batch_start':
        endBatch(t);
        play?.batches.push({ n: e.batch, hosts: e.hosts, start: t, end: 0, failed: false });
        break;
      case 'result': {
        const { event: _, ...r } = e;
        play?.results.push(r);
        const batch = play?.batches.at(-1);
        if (batch && batch.end === 0 && (r.status === 'failed' || r.status === 'unreachable' || isRollback(r))) batch.failed = true;
        if (isRollback(r)) m.rollbacks.push(r);
        if (r.probes)
          m.health.set(r.host, {
            checks: [...(m.health.get(r.host)?.checks.filter((c) => !r.probes!.some((p) => p.check === c.check)) ?? []), ...r.probes],
          });
        break;
      }
      case 'halt':
        m.halts.push(e.reason);
        endPlay(t);
        break;
      case 'host_stats':
        m.stats.set(e.host, { roundTrips: e.roundTrips, bytesUploaded: e.bytesUploaded });
        break;
      case 'verify':
        m.verify.push({ host: e.host, task: e.task, settings: e.settings, ok: e.ok });
        break;
      case 'problems':
        m.problems.push(...e.problems);
        break;
      case 'interrupted':
        m.interrupted = e.signal;
        break;
      case 'recap':
        endPlay(t);
        m.recap = e.hosts;
        break;
    }
  }
  endPlay(finished);
  for (const h of health ?? []) m.health.set(h.host, { checks: h.tasks.flatMap((t) => t.results), ...(h.error ? { error: h.error } : {}) });
  return m;
}
