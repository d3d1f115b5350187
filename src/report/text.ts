// Human output: results grouped across hosts (text-grouped.ts), or with perHost a line per task
// per host; diffs with --diff, warnings, a recap, and on a TTY a live progress line per batch
// (redrawn in place, cleared before any other output).
import { formatTimings } from '../timings.js';
import { formatProblem } from '../errors.js';
import type { TaskResult } from '../exec/results.js';
import { oneLine } from '../one-line.js';
import type { Recap, Reporter, RunEvent } from './events.js';
import { colourDiff, palette, type Palette } from './colour.js';
import { groupedRecapText, groupedResultsText, groupedStatsText, recapCells, STATUS_COLOUR } from './text-grouped.js';

export interface TextOptions {
  write: (s: string) => void;
  /** Where problems go (stderr). */
  writeErr: (s: string) => void;
  colour: boolean;
  /** Live progress line (TTY only). */
  live: boolean;
  diff: boolean;
  verbose: boolean;
  /** -vv: where the wall time went, phase by phase. */
  timings?: boolean;
  /** A line per host and task, as results arrive, instead of groups of hosts. */
  perHost?: boolean;
}

/** Events that end a group of results: a play, a batch, a halt, the recap. */
const GROUP_BOUNDARY = new Set<RunEvent['event']>(['play_start', 'batch_start', 'problems', 'halt', 'verify', 'interrupted', 'recap']);

export function textReporter(o: TextOptions): Reporter {
  const p = palette(o.colour);
  let progressShown = false;
  // While applying, results arrive host by host, so task headers would mislabel them.
  let applying = false;
  const clear = () => {
    if (progressShown) o.write('\r\x1b[K');
    progressShown = false;
  };
  const line = (s: string) => {
    clear();
    o.write(s + '\n');
  };
  const paint = (status: string, s: string) => p[STATUS_COLOUR[status] ?? 'bold'](s);
  // Grouped output holds results (and -v's per-host counts) until the batch or play ends.
  const held: TaskResult[] = [];
  const heldStats: { host: string; roundTrips: number; bytesUploaded: number }[] = [];
  const flush = () => {
    for (const l of [...groupedResultsText(held, p, o.diff), ...groupedStatsText(heldStats, p)]) line(l);
    held.length = 0;
    heldStats.length = 0;
  };

  return {
    emit(event: RunEvent) {
      // Task names go to the terminal on one line, whatever control characters they hold.
      const e = 'task' in event && typeof event.task === 'string' ? ({ ...event, task: oneLine(event.task) } as RunEvent) : event;
      if (!o.perHost && GROUP_BOUNDARY.has(e.event)) flush();
      switch (e.event) {
        case 'play_start':
          applying = false;
          line(
            p.bold(`\nPLAY [${oneLine(e.play)}] ${e.check ? '(check) ' : ''}`) +
              p.dim(`${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}`),
          );
          // Ansible's words for a play left without hosts; the run goes on with the next play.
          if (!e.hosts.length) line(p.dim('skipping: no hosts matched'));
          break;
        case 'batch_start':
          applying = true;
          line(p.bold(`\nBATCH ${e.batch}: `) + e.hosts.join(', '));
          break;
        case 'task_start':
          if (applying || !o.perHost) break;
          line(p.bold(`\n${e.handler ? 'HANDLER' : 'TASK'} [${e.task}]`));
          break;
        case 'task_running':
          if (o.perHost) line(p.dim(`running: [${e.host}] ${e.task}`));
          break;
        case 'result': {
          if (!o.perHost) {
            const { event: _, ...r } = e;
            held.push(r);
            break;
          }
          line(paint(e.status, `${e.status}: [${e.host}]`) + ` ${e.task}${e.msg ? ` ${p.dim('(' + e.msg + ')')}` : ''}`);
          for (const w of e.warnings ?? []) line(p.yellow(`  [WARNING] ${w}`));
          for (const c of e.changes) {
            line(`  ${c.summary}`);
            if ((o.diff || c.shown) && c.diff) line(colourDiff(c.diff.replace(/\n$/, ''), p).replace(/^/gm, '    '));
          }
          break;
        }
        case 'progress':
          if (!o.live) break;
          clear();
          o.write(
            `batch ${e.batch}: ${e.done}/${e.total} done, ${p.yellow(`${e.changed} changed`)}, ${p.red(`${e.failed} failed`)}, ${p.red(`${e.unreachable} unreachable`)}`,
          );
          progressShown = true;
          break;
        case 'plan_progress':
          if (!o.live) break;
          clear();
          o.write(`planning: ${e.done}/${e.total} hosts, ${p.red(`${e.failed} failed`)}, ${p.red(`${e.unreachable} unreachable`)}`);
          progressShown = true;
          break;
        case 'problems':
          clear();
          for (const pr of e.problems) o.writeErr(p.red('error: ') + formatProblem(pr) + '\n');
          o.writeErr(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} found; ${changedSoFar(e.changed)}.\n`);
          break;
        case 'replanned':
          line(
            p.yellow(`  [${e.host}] the plan changed since the preflight: `) +
              [...e.added.map((a) => `now ${a}`), ...e.removed.map((r) => `no longer ${r}`)].join('; '),
          );
          break;
        case 'halt':
          line(p.red(`\n${e.reason}`));
          break;
        case 'host_stats':
          if (o.verbose && !o.perHost) heldStats.push(e);
          else if (o.verbose)
            line(p.dim(`  [${e.host}] ${e.roundTrips} round trip${e.roundTrips === 1 ? '' : 's'}, ${e.bytesUploaded} bytes uploaded`));
          break;
        case 'verify': {
          line(`${paint(e.ok ? 'ok' : 'failed', e.ok ? 'ok' : 'drift')}: [${e.host}] ${e.task}`);
          for (const s of e.settings) {
            const parts = [`desired=${s.desired}`];
            if (s.live !== undefined) parts.push(`live=${s.live ?? '(absent)'}`);
            if (s.persisted !== undefined) parts.push(`persisted=${s.persisted ?? '(absent)'}`);
            line(`  ${s.ok ? ' ' : p.red('!')} ${s.setting}: ${parts.join(' ')}`);
          }
          break;
        }
        case 'interrupted':
          line(p.red(`\nInterrupted by ${e.signal}: no new operation was started; changes in flight were finished.`));
          break;
        case 'recap':
          line(o.perHost ? recapTable(e.hosts, p) : groupedRecapText(e.hosts, p));
          if (o.timings && e.timings) o.writeErr(p.dim(`timings: ${formatTimings(e.timings)}\n`));
          break;
      }
    },
  };
}

/** "nothing was changed" only when that is true; otherwise every host and play that ran something. */
function changedSoFar(changed: { host: string; plays: string[] }[] | undefined): string {
  if (!changed?.length) return 'nothing was changed';
  return `changed before they were found: ${changed.map((c) => `${c.host} (${c.plays.join(', ')})`).join(', ')}`;
}

export function recapTable(hosts: Record<string, Recap>, p: Palette): string {
  const names = Object.keys(hosts);
  const width = Math.max(4, ...names.map((n) => n.length));
  const rows = names.map((n) => `${n.padEnd(width)} : ${recapCells(hosts[n]!, p)}`);
  return [p.bold('\nPLAY RECAP'), ...rows].join('\n');
}
