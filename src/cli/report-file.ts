// --report FILE.html: the run's events are collected (behind the redacting boundary, like every
// other sink) and written as one self-contained HTML page when the command ends. The page's
// renderer (diff2html and the charts) is loaded only then, so a run without --report never
// loads it, and one with it does not load it before its first connection.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import type { HostHealth } from '../exec/probe-host.js';
import { ReportCollector } from '../report/html/collect.js';
import type { CliOptions } from './options.js';

export interface ReportFile {
  collector: ReportCollector;
  /** Writes the page; returns the exit code unchanged. */
  finish(exitCode: number, health?: HostHealth[]): Promise<number>;
}

/** Undefined without --report. The folder must exist: checked before any host is contacted. */
export function reportFile(o: CliOptions): ReportFile | undefined {
  if (o.report === undefined) return undefined;
  const path = resolve(o.report);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ValidationError([
      { message: `--report ${o.report}: folder ${dir} does not exist`, hint: 'create the folder first, or give a path in an existing one' },
    ]);
  }
  if (existsSync(path) && statSync(path).isDirectory())
    throw new ValidationError([{ message: `--report ${o.report} is a folder`, hint: 'give a file name such as rollout.html' }]);
  const collector = new ReportCollector();
  return {
    collector,
    async finish(exitCode, health) {
      const { writeReport } = await import('../report/html/write.js');
      writeReport(path, {
        command: commandLine(o),
        started: collector.started,
        finished: Date.now(),
        exitCode,
        events: collector.events,
        ...(health ? { health } : {}),
      });
      return exitCode;
    },
  };
}

/** What ran, for the page's title. -e values are left out: they may carry secrets. */
function commandLine(o: CliOptions): string {
  return [
    ...o.positionals,
    ...(o.inventory ? ['-i', o.inventory] : []),
    ...(o.limit ? ['--limit', o.limit] : []),
    ...(o.check ? ['--check'] : []),
    ...(o.tags.length ? ['--tags', o.tags.join(',')] : []),
    ...(o.skipTags.length ? ['--skip-tags', o.skipTags.join(',')] : []),
    ...(o.extraVars.length ? [`(${o.extraVars.length} extra var${o.extraVars.length === 1 ? '' : 's'})`] : []),
  ].join(' ');
}
