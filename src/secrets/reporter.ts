// The boundary every output sink sits behind (text, JSON lines, and any later report or queue):
// events are censored (no_log) and redacted (tracked secrets) before a sink sees them.
import type { Reporter, RunEvent } from '../report/events.js';
import { censorResult } from './no-log.js';
import { secrets, type Redactor } from './redact.js';

export function redactingReporter(inner: Reporter, redactor: Redactor = secrets): Reporter {
  return { emit: (e: RunEvent) => inner.emit(redactor.redactValue(e.event === 'result' && e.no_log ? { ...censorResult(e), event: e.event } : e)) };
}
