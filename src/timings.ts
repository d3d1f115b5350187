// Where a run's wall time goes, phase by phase: printed under -vv, and read by the fleet
// benchmark (--json) so that a regression shows where it came from. Hosts overlap, so a phase is
// the span from its first start to its last end, in milliseconds since the process started;
// `report` is the time spent writing output, summed.
export const PHASES = ['start-up', 'load', 'connect', 'gather', 'plan', 'apply', 'verify', 'report'] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseSpan {
  from: number;
  to: number;
}

export type PhaseTimings = Partial<Record<Phase, PhaseSpan>>;

const spans = new Map<Phase, PhaseSpan>();

export function recordPhase(phase: Phase, from: number, to: number = performance.now()): void {
  const s = spans.get(phase);
  if (!s) spans.set(phase, { from, to });
  else spans.set(phase, { from: Math.min(s.from, from), to: Math.max(s.to, to) });
}

/** Runs `fn` as part of `phase`; the span grows to cover it, whether it succeeds or throws. */
export async function timePhase<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
  const from = performance.now();
  try {
    return await fn();
  } finally {
    recordPhase(phase, from);
  }
}

/** `report` accumulates instead: output is written in many small pieces between the others. */
export function addReportTime(ms: number): void {
  const s = spans.get('report') ?? { from: 0, to: 0 };
  spans.set('report', { from: 0, to: s.to + ms });
}

export function phaseTimings(): PhaseTimings {
  const out: PhaseTimings = {};
  for (const p of PHASES) {
    const s = spans.get(p);
    if (s) out[p] = { from: Math.round(s.from), to: Math.round(s.to) };
  }
  return out;
}

/** "start-up 0–61 ms · load 61–95 · …"; `report` shows its total. */
export function formatTimings(t: PhaseTimings): string {
  return PHASES.flatMap((p) => {
    const s = t[p];
    if (!s) return [];
    return p === 'report' ? [`report ${s.to} ms in all`] : [`${p} ${s.from}–${s.to} ms`];
  }).join(' · ');
}
