// Writes the report file atomically: a temp file beside it, then rename, so a reader never
// sees half a report.
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { renderReport, type ReportInput } from './page.js';

export function writeReport(path: string, input: ReportInput): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, renderReport(input));
  renameSync(tmp, path);
}
