// Writes the report file atomically, so a reader never sees half a report.
import { writeFileAtomic } from '../../write-atomic.js';
import { renderReport, type ReportInput } from './page.js';

export function writeReport(path: string, input: ReportInput): void {
  writeFileAtomic(path, renderReport(input));
}
