// vm: vm.swappiness and vm.overcommit_memory (live sysctl + a sysctl.d file of their own), and
// `swap: off` (swapoff -a now, swap lines of /etc/fstab commented out for boot, with a backup).
import type { Module } from '../../src/module.js';
import type { FactQuery } from '../../src/facts/types.js';
import { daemonReload } from '../_shared/handlers.js';
import { schema, type VmArgs } from './schema.js';
import { vmDiff, VM_SYSCTL_FILE, FSTAB, PROC_SWAPS, sysctls } from './diff.js';
import { vmInspect } from './inspect.js';

const vm: Module<VmArgs> = {
  name: 'vm',
  handlers: [daemonReload],
  schema,

  needs(args) {
    const queries: FactQuery[] = sysctls(args).map((s) => ({ kind: 'sysctl' as const, key: s.key }));
    if (queries.length > 0) queries.push({ kind: 'file', path: VM_SYSCTL_FILE }, { kind: 'stat', path: VM_SYSCTL_FILE }, { kind: 'host' });
    if (args.swap === 'off') {
      queries.push({ kind: 'file', path: PROC_SWAPS }, { kind: 'file', path: FSTAB }, { kind: 'stat', path: FSTAB });
    }
    return queries;
  },

  diff: vmDiff,

  inspect: vmInspect,
};

export default vm;
