// Block devices and their I/O schedulers, read by the io_scheduler module: every
// /sys/block/<dev>/queue/scheduler, with the gather's other kernel values (sysfs-values.ts).
import type { Facts, FactQuery } from '../../src/facts/types.js';
import { sysfsValues, sysfsValuesQueries } from './sysfs-values.js';

export interface BlockDevice {
  name: string;
  /** Schedulers the device offers; `current` is the bracketed one. */
  schedulers: string[];
  current: string;
}

const SCHEDULERS = '/sys/block/*/queue/scheduler';

export const blockDevicesQueries = (): FactQuery[] => sysfsValuesQueries([SCHEDULERS]);

/** "none [mq-deadline] kyber bfq" -> offered schedulers and the bracketed current one. */
export function parseScheduler(name: string, line: string): BlockDevice {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const current = words.find((w) => w.startsWith('[') && w.endsWith(']'));
  return {
    name,
    schedulers: words.map((w) => w.replace(/^\[(.*)\]$/, '$1')),
    // One word without brackets: an emulated file that keeps what was written (the switch lab).
    current: current ? current.slice(1, -1) : words.length === 1 ? words[0]! : '',
  };
}

/** Every block device with a scheduler file, in the order the glob listed them. */
export function blockDevices(facts: Facts): BlockDevice[] {
  return Object.entries(sysfsValues(facts, [SCHEDULERS])).map(([path, value]) => parseScheduler(path.split('/')[3] ?? '', value));
}
