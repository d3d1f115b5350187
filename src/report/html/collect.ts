// The HTML report's input: every event of the run (already redacted: it sits behind the same
// redacting boundary as the terminal), stamped with the time it arrived, for the timeline.
import type { Reporter, RunEvent } from '../events.js';

export interface TimedEvent {
  t: number;
  e: RunEvent;
}

export class ReportCollector implements Reporter {
  readonly events: TimedEvent[] = [];
  readonly started = Date.now();

  emit(e: RunEvent): void {
    // Progress lines repeat what the results say; the timeline needs only plays and batches.
    if (e.event === 'progress' || e.event === 'plan_progress') return;
    this.events.push({ t: Date.now(), e });
  }
}

/** Sends every event to each reporter in turn. */
export function teeReporter(...sinks: Reporter[]): Reporter {
  return { emit: (e) => sinks.forEach((s) => s.emit(e)) };
}
