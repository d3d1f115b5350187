// io_scheduler: the I/O scheduler of matching block devices, written live to
// /sys/block/<dev>/queue/scheduler and persisted as a udev rule (applied at boot and hotplug).
import type { Change, Module, SettingState } from '../../src/module.js';
import { fileChange } from '../_shared/file-change.js';
import { asList, matchNames } from '../_tuning/interfaces.js';
import { choiceAfterWrite, liveDiff, liveWriteOp } from '../_tuning/live-write.js';
import { blockDevices, blockDevicesQuery, type BlockDevice } from '../_tuning/block-devices.js';
import { schema, type IoSchedulerArgs } from './schema.js';

export const UDEV_RULE = '/etc/udev/rules.d/60-portsyncd-io-scheduler.rules';
const schedulerPath = (dev: string) => `/sys/block/${dev}/queue/scheduler`;

/** Matched devices that have a scheduler at all (some virtual devices have none). */
function matched(devices: readonly BlockDevice[], args: IoSchedulerArgs): BlockDevice[] {
  return matchNames(devices, args.devices).filter((d) => d.schedulers.length > 0);
}

function persistedScheduler(rules: string | null, pattern: string): string | null {
  for (const line of (rules ?? '').split('\n')) {
    if (line.trim().startsWith('#') || !line.includes(`KERNEL=="${pattern}"`)) continue;
    const m = /ATTR\{queue\/scheduler\}="([^"]*)"/.exec(line);
    if (m) return m[1];
  }
  return null;
}

const ioScheduler: Module<IoSchedulerArgs> = {
  name: 'io_scheduler',
  schema,

  needs(_args, ctx) {
    return [{ kind: 'file', path: UDEV_RULE }, { kind: 'stat', path: UDEV_RULE }, ...(ctx.offline ? [] : [blockDevicesQuery()])];
  },

  diff(facts, args, ctx) {
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
  },

  inspect(facts, args, ctx) {
    const rules = facts.file(UDEV_RULE);
    const persistedFor = (dev: string) => {
      const pattern = asList(args.devices).find((p) => matchNames([{ name: dev }], p).length > 0);
      return pattern === undefined ? null : persistedScheduler(rules, pattern);
    };
    const devices = ctx.offline ? [] : matched(blockDevices(facts), args);
    if (devices.length === 0) {
      return asList(args.devices).map((p): SettingState => {
        const persisted = persistedScheduler(rules, p);
        return { setting: `I/O scheduler of ${p}`, desired: args.scheduler, persisted, ok: persisted === args.scheduler };
      });
    }
    return devices.map((d): SettingState => {
      const persisted = persistedFor(d.name);
      return {
        setting: schedulerPath(d.name),
        desired: args.scheduler,
        live: d.current,
        persisted,
        ok: d.current === args.scheduler && persisted === args.scheduler,
      };
    });
  },
};

export default ioScheduler;
