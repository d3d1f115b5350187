// What a worker sends the coordinator while a job runs, through the job's progress (BullMQ's
// event stream): the run's events of work in progress, and under -vvv each connection, exec and
// upload. Both are masked before they reach Redis.
import type { RunEvent } from '../report/events.js';
import { secrets } from '../secrets/redact.js';

export type LiveMessage = { live: RunEvent } | { trace: string };

export type Publish = (m: LiveMessage) => void;

export function safeLive(m: LiveMessage): LiveMessage {
  return 'trace' in m ? { trace: secrets.redactText(m.trace) } : { live: secrets.redactValue(m.live) };
}

export function isLiveMessage(v: unknown): v is LiveMessage {
  return typeof v === 'object' && v !== null && ('live' in v || 'trace' in v);
}
