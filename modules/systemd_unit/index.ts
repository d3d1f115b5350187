// systemd_unit: a unit file or drop-in (from a template or a sections map), checked for unknown
// directives at plan time and by systemd-analyze on the target, plus idempotent enable/state.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { daemonReload } from '../_shared/handlers.js';
import { systemdUnitDiff } from './diff.js';
import { managedPath, SYSTEMD_ANALYZE, unitFileCandidates } from './paths.js';
import { schema, type SystemdUnitArgs } from './schema.js';
import { readsUnitState } from './state.js';

const systemdUnit: Module<SystemdUnitArgs> = {
  name: 'systemd_unit',
  schema,
  needs(args) {
    const queries: FactQuery[] = readsUnitState(args) ? [{ kind: 'unit', name: args.name }] : [];
    if (args.template !== undefined || args.sections !== undefined) {
      const path = managedPath(args);
      // Where systemd-analyze and the unit's own file are is all that is asked of them: no hash.
      const where = (p: string): FactQuery => ({ kind: 'stat', path: p, hash: false });
      queries.push({ kind: 'file', path }, { kind: 'stat', path }, ...SYSTEMD_ANALYZE.map(where));
      if (args.dropin !== undefined) queries.push(...unitFileCandidates(args.name).map(where));
    }
    return queries;
  },
  diff: systemdUnitDiff,
  handlers: [daemonReload],
};

export default systemdUnit;
