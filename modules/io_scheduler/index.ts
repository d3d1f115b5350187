// io_scheduler: the I/O scheduler of matching block devices, written live to
// /sys/block/<dev>/queue/scheduler and persisted as a udev rule (applied at boot and hotplug).
import type { Module } from '../../src/module.js';
import { blockDevicesQueries } from '../_tuning/block-devices.js';
import { schema, type IoSchedulerArgs } from './schema.js';
import { ioSchedulerDiff, UDEV_RULE } from './diff.js';
import { ioSchedulerInspect } from './inspect.js';

const ioScheduler: Module<IoSchedulerArgs> = {
  name: 'io_scheduler',
  schema,

  needs(_args, ctx) {
    return [{ kind: 'file', path: UDEV_RULE }, { kind: 'stat', path: UDEV_RULE }, ...(ctx.offline ? [] : blockDevicesQueries())];
  },

  diff: ioSchedulerDiff,

  inspect: ioSchedulerInspect,
};

export default ioScheduler;
