// The io_scheduler module's inspect: each setting's desired, live and persisted value for verify.
import type { SettingState, PlanContext } from '../../src/module.js';
import { asList, matchNames } from '../_tuning/interfaces.js';
import { blockDevices } from '../_tuning/block-devices.js';
import type { Facts } from '../../src/facts/types.js';
import type { IoSchedulerArgs } from './schema.js';
import { UDEV_RULE, schedulerPath, matched } from './diff.js';

function persistedScheduler(rules: string | null, pattern: string): string | null {
  for (const line of (rules ?? '').split('\n')) {
    if (line.trim().startsWith('#') || !line.includes(`KERNEL=="${pattern}"`)) continue;
    const m = /ATTR\{queue\/scheduler\}="([^"]*)"/.exec(line);
    if (m) return m[1];
  }
  return null;
}

export function ioSchedulerInspect(facts: Facts, args: IoSchedulerArgs, ctx: PlanContext): SettingState[] {
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
}
