// sysctl: a managed sysctl.d file plus the running kernel, compared by value (not bytes), with
// keys the kernel lacks caught at plan time instead of reported "changed" forever.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { sysctlDiff } from './diff.js';
import { sysctlInspect } from './inspect.js';
import { loadOrderQueries } from './load-order.js';
import { schema, type AnsibleSysctlArgs, type SysctlTaskArgs } from './schema.js';
import { neverValidKeys } from './settings.js';
import { kernelKeyQueries } from './kernel-keys.js';
import { ansibleDiff, ansibleNeeds } from './ansible-form.js';

const isAnsible = (a: SysctlTaskArgs): a is AnsibleSysctlArgs => 'name' in a;

const sysctl: Module<SysctlTaskArgs> = {
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  schema,
  needs(args, ctx) {
    if (isAnsible(args)) return ansibleNeeds(args, ctx);
    neverValidKeys(args, ctx);
    const names = Object.keys(args.settings ?? {});
    const keys: FactQuery[] = names.map((key) => ({ kind: 'sysctl', key }));
    return [{ kind: 'file', path: args.file }, ...keys, ...kernelKeyQueries(names, ctx), ...loadOrderQueries()];
  },
  diff: (facts, args, ctx) => (isAnsible(args) ? ansibleDiff(facts, args, ctx) : sysctlDiff(facts, args, ctx)),
  inspect: (facts, args, ctx) => (isAnsible(args) ? [] : sysctlInspect(facts, args, ctx)),
};

export default sysctl;
