// The boundary every output sink sits behind (text, JSON lines, and any later report or queue):
// events are censored (no_log) and redacted (tracked secrets) before a sink sees them.
import type { Reporter, RunEvent } from '../report/events.js';
import { censorResult, censorSetting } from './no-log.js';
import { secrets, type Redactor } from './redact.js';

export function redactingReporter(inner: Reporter, redactor: Redactor = secrets): Reporter {
  return { emit: (e: RunEvent) => inner.emit(redactor.redactValue(censored(e))) };
}

function censored(e: RunEvent): RunEvent {
  if (e.event === 'result' && e.no_log) return { ...censorResult(e), event: e.event };
  if (e.event === 'verify' && e.no_log) return { ...e, settings: e.settings.map(censorSetting) };
  return e;
}
