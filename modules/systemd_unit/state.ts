// Enablement and run state from the `unit` fact. `started`/`stopped` and `enabled` act only when the
// unit is not already there; `restarted` and `reloaded` are actions and change on every run.
import type { UnitFact } from '../../src/facts/types.js';
import type { Change, Op } from '../../src/module.js';
import { systemctlOp } from '../_shared/handlers.js';
import type { SystemdUnitArgs } from './schema.js';

const RUNNING = new Set(['active', 'activating', 'reloading']);
/** Unit file states `systemctl enable` cannot or need not change. */
const NOT_ENABLEABLE = new Set(['static', 'indirect', 'generated', 'transient', 'alias', 'enabled-runtime']);

/** What each verb leaves, for the overlay: a later task plans against it. */
const LEAVES: Record<string, { active?: string; enabled?: string }> = {
  start: { active: 'active' },
  restart: { active: 'active' },
  reload: { active: 'active' },
  stop: { active: 'inactive' },
  enable: { enabled: 'enabled' },
  disable: { enabled: 'disabled' },
  mask: { enabled: 'masked' },
};

export function systemctl(verb: string, unit?: string): Op {
  const leaves = unit === undefined ? undefined : LEAVES[verb];
  return { ...systemctlOp(verb, unit), ...(leaves ? { effects: [{ kind: 'unit' as const, name: unit!, ...leaves }] } : {}) };
}

/** Only `enabled` and `state` look at the unit's live state: without them no `systemctl show`
 *  is asked of the host. */
export const readsUnitState = (args: SystemdUnitArgs): boolean => args.enabled !== undefined || args.state !== undefined;

export function enablementChange(args: SystemdUnitArgs, unit: UnitFact): Change | null {
  if (args.enabled === undefined || NOT_ENABLEABLE.has(unit.enabled)) return null;
  const isEnabled = unit.enabled === 'enabled';
  if (args.enabled === isEnabled) return null;
  const verb = args.enabled ? 'enable' : 'disable';
  const before = unit.enabled || 'unknown';
  const after = args.enabled ? 'enabled' : 'disabled';
  return {
    summary: `${verb} ${args.name}`,
    diff: `${args.name} enabled: ${before} -> ${after}\n`,
    ops: [systemctl(verb, args.name)],
    settings: [{ setting: `${args.name} enabled`, desired: after, live: before }],
  };
}

/**
 * The state change; `reloadFirst` puts a daemon-reload before it when this task also rewrote the
 * unit, so the start or restart uses the new file rather than waiting for the end-of-play handler.
 */
export function stateChange(args: SystemdUnitArgs, unit: UnitFact, reloadFirst: boolean): Change | null {
  if (args.state === undefined) return null;
  const running = RUNNING.has(unit.active);
  let verb: string;
  let after: string;
  switch (args.state) {
    case 'started':
      if (running) return null;
      [verb, after] = ['start', 'active'];
      break;
    case 'stopped':
      if (!running) return null;
      [verb, after] = ['stop', 'inactive'];
      break;
    case 'restarted':
      [verb, after] = ['restart', 'active (restarted)'];
      break;
    case 'reloaded':
      // A stopped unit cannot reload; starting it loads the configuration just the same.
      [verb, after] = running ? ['reload', 'active (reloaded)'] : ['start', 'active'];
      break;
  }
  const ops = [...(reloadFirst ? [systemctl('daemon-reload')] : []), systemctl(verb, args.name)];
  return {
    summary: `${verb} ${args.name}`,
    diff: `${args.name} state: ${unit.active} -> ${after}\n`,
    ops,
    settings: [{ setting: `${args.name} state`, desired: after, live: unit.active }],
  };
}
