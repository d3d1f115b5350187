// Human output: a line per task per host, diffs with --diff, warnings, a recap table, and on a
// TTY a live progress line per batch (redrawn in place, cleared before any other output).
import { formatProblem } from '../errors.js';
import type { Recap, Reporter, RunEvent } from './events.js';
import { colourDiff, palette, type Palette } from './colour.js';

export interface TextOptions {
  write: (s: string) => void;
  /** Where problems go (stderr). */
  writeErr: (s: string) => void;
  colour: boolean;
  /** Live progress line (TTY only). */
  live: boolean;
  diff: boolean;
  verbose: boolean;
}

const STATUS_COLOUR: Record<string, keyof Palette> = { ok: 'green', changed: 'yellow', failed: 'red', unreachable: 'red', skipped: 'cyan' };

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

  return {
    emit(e: RunEvent) {
      switch (e.event) {
        case 'play_start':
          applying = false;
          line(p.bold(`\nPLAY [${e.play}] ${e.check ? '(check) ' : ''}`) + p.dim(`${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}`));
          break;
        case 'batch_start':
          applying = true;
          line(p.bold(`\nBATCH ${e.batch}: `) + e.hosts.join(', '));
          break;
        case 'task_start':
          if (applying) break;
          line(p.bold(`\n${e.handler ? 'HANDLER' : 'TASK'} [${e.task}]`));
          break;
        case 'result': {
          line(paint(e.status, `${e.status}: [${e.host}]`) + ` ${e.task}${e.msg ? ` ${p.dim('(' + e.msg + ')')}` : ''}`);
          for (const w of e.warnings ?? []) line(p.yellow(`  [WARNING] ${w}`));
          for (const c of e.changes) {
            line(`  ${c.summary}`);
            if (o.diff && c.diff) line(colourDiff(c.diff.replace(/\n$/, ''), p).replace(/^/gm, '    '));
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
          o.writeErr(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} found; nothing was changed.\n`);
          break;
        case 'halt':
          line(p.red(`\n${e.reason}`));
          break;
        case 'host_stats':
          if (o.verbose) line(p.dim(`  [${e.host}] ${e.roundTrips} round trip${e.roundTrips === 1 ? '' : 's'}, ${e.bytesUploaded} bytes uploaded`));
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
          line(recapTable(e.hosts, p));
          break;
      }
    },
  };
}

export function recapTable(hosts: Record<string, Recap>, p: Palette): string {
  const names = Object.keys(hosts);
  const width = Math.max(4, ...names.map((n) => n.length));
  const cell = (k: keyof Recap, n: number) => {
    const s = `${k}=${n}`.padEnd(k.length + 5);
    return n > 0 ? p[STATUS_COLOUR[k] ?? 'bold'](s) : s;
  };
  const rows = names.map((n) => {
    const r = hosts[n]!;
    return `${n.padEnd(width)} : ${(['ok', 'changed', 'unreachable', 'failed', 'skipped'] as const).map((k) => cell(k, r[k])).join(' ')}`;
  });
  return [p.bold('\nPLAY RECAP'), ...rows].join('\n');
}
