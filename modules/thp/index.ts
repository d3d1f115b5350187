// thp: transparent huge pages (enabled, defrag). Written live to sysfs and restored early at every
// boot by a script + oneshot unit, like the IRQ and RPS settings. Earlier versions persisted THP as
// a tmpfiles.d `w` entry; applying removes that file, so a fleet converges on the boot unit.
import { daemonReload } from '../_shared/handlers.js';
import type { Module } from '../../src/module.js';
import { bootNeeds } from '../_tuning/boot-persistence.js';
import { schema, type ThpArgs } from './schema.js';
import { thpDiff, LEGACY_TMPFILES, THP_BOOT_UNIT, wanted } from './diff.js';
import { thpInspect } from './inspect.js';

const thp: Module<ThpArgs> = {
  name: 'thp',
  handlers: [daemonReload],
  schema,

  needs(args) {
    return [
      ...wanted(args).map((w) => ({ kind: 'file' as const, path: w.path })),
      ...bootNeeds(THP_BOOT_UNIT),
      { kind: 'file', path: LEGACY_TMPFILES },
      { kind: 'stat', path: LEGACY_TMPFILES },
      { kind: 'host' },
    ];
  },

  diff: thpDiff,

  inspect: thpInspect,
};

export default thp;
