// The io_scheduler module's diff: the live scheduler of each matched device and the udev rule that
// keeps it.
import type { Change, PlanContext } from '../../src/module.js';
import { fileChange } from '../_shared/file-change.js';
import { asList, matchNames } from '../_tuning/interfaces.js';
import { choiceAfterWrite, liveDiff, liveWriteOp } from '../_tuning/live-write.js';
import { blockDevices, type BlockDevice } from '../_tuning/block-devices.js';
import type { Facts } from '../../src/facts/types.js';
import type { IoSchedulerArgs } from './schema.js';

export const UDEV_RULE = '/etc/udev/rules.d/60-portsyncd-io-scheduler.rules';
export const schedulerPath = (dev: string) => `/sys/block/${dev}/queue/scheduler`;

/** Matched devices that have a scheduler at all (some virtual devices have none). */
export function matched(devices: readonly BlockDevice[], args: IoSchedulerArgs): BlockDevice[] {
  return matchNames(devices, args.devices).filter((d) => d.schedulers.length > 0);
}

export function ioSchedulerDiff(facts: Facts, args: IoSchedulerArgs, ctx: PlanContext): Change[] {
  const changes: Change[] = [];
  if (!ctx.offline) {
    const devices = matched(blockDevices(facts), args);
    if (devices.length === 0) {
      ctx.warn(`no block device matches ${asList(args.devices).join(', ')}; only the udev rule is installed`);
    }
    const refusing = devices.filter((d) => !d.schedulers.includes(args.scheduler));
    for (const d of refusing) {
      ctx.error(
        `block device ${d.name} does not offer the "${args.scheduler}" scheduler (offers: ${d.schedulers.join(', ')})`,
        ['scheduler'],
        `pick one of ${d.schedulers.join(', ')}, or narrow "devices"`,
      );
    }
    if (refusing.length > 0) return [];
    const drift = devices.filter((d) => d.current !== args.scheduler);
    if (drift.length > 0) {
      changes.push({
        summary: `I/O scheduler of ${drift.map((d) => d.name).join(', ')} -> ${args.scheduler}`,
        diff: liveDiff(drift.map((d) => ({ label: schedulerPath(d.name), before: d.current, after: args.scheduler }))),
        ops: [
          liveWriteOp(
            drift.map((d) => ({
              path: schedulerPath(d.name),
              value: args.scheduler,
              reads: choiceAfterWrite(d.schedulers.join(' '), args.scheduler),
            })),
          ),
        ],
      });
    }
  }
  const rules = ctx.render('tuning/io-scheduler.rules.hbs', { patterns: asList(args.devices), scheduler: args.scheduler });
  const file = fileChange(facts, { path: UDEV_RULE, content: rules, mode: '0644', owner: 'root', group: 'root' });
  return file ? [...changes, file] : changes;
}
