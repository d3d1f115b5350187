// The systemd_service module's diff: daemon-reload, mask, enable and run state, each planned from
// the unit's state on the host.
import type { Facts } from '../../src/facts/types.js';
import type { Change, PlanContext } from '../../src/module.js';
import { enablementChange, stateChange, systemctl } from '../systemd_unit/state.js';
import type { SystemdServiceArgs } from './schema.js';

export function systemdServiceDiff(facts: Facts, args: SystemdServiceArgs, ctx: PlanContext): Change[] {
  const changes: Change[] = [];
  // As in Ansible, a daemon-reload runs whenever asked and by itself reports no change.
  if (args.daemon_reload)
    changes.push({
      summary: 'systemctl daemon-reload',
      ops: [systemctl('daemon-reload')],
      changed: false,
    });
  if (!args.name) return changes;
  const unit = facts.unit(args.name);
  if (!facts.host.systemd && !ctx.offline) ctx.warn('systemd is not running on this host; unit state is not managed');
  if (args.masked !== undefined && args.masked !== (unit.enabled === 'masked')) {
    const verb = args.masked ? 'mask' : 'unmask';
    changes.push({
      summary: `${verb} ${args.name}`,
      diff: `${args.name} enabled: ${unit.enabled || 'unknown'} -> ${args.masked ? 'masked' : 'unmasked'}\n`,
      ops: [systemctl(verb, args.name)],
      settings: [{ setting: `${args.name} enabled`, desired: args.masked ? 'masked' : 'unmasked', live: unit.enabled || 'unknown' }],
    });
  }
  const unitArgs = { name: args.name, enabled: args.enabled, state: args.state };
  const enable = args.masked ? null : enablementChange(unitArgs, unit);
  const state = args.masked ? null : stateChange(unitArgs, unit, false);
  return [...changes, ...(enable ? [enable] : []), ...(state ? [state] : [])];
}
