// The layout of bench/results/<date>-<name>.json, which the summary and charts are made from.
import type { FleetResult } from '../fleet/suite.js';
import type { DaemonSummary } from './daemon.js';

export interface BenchResults {
  name: string;
  mode: 'full' | 'quick';
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; memTotalMb: number; kernel: string; node: string; ansible: string };
  /** 1, 5 and 15-minute load averages: other work shares this machine. */
  loadavg: { start: number[]; end: number[] };
  settings: { runs: number; lab: string; fleetSizes: number[]; siteSizes: number[]; daemonArgs: string[] };
  commands: Record<string, string>;
  fleet?: FleetResult;
  daemon?: {
    command: string;
    exitCode: number;
    seconds: number;
    loadavgStart: number[];
    /** The result file the summary is read from (the one this run wrote, else the newest one). */
    summary?: DaemonSummary;
    notes: string[];
  };
  errors: string[];
  /** Set when a signal stopped the run; the results then hold only the completed cells. */
  interrupted?: string;
}
