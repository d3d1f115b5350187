// sysctl: a managed sysctl.d file plus the running kernel, compared by value (not bytes), with
// keys the kernel lacks caught at plan time instead of reported "changed" forever.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { sysctlDiff } from './diff.js';
import { sysctlInspect } from './inspect.js';
import { loadOrderQueries } from './load-order.js';
import { schema, type SysctlArgs } from './schema.js';
import { neverValidKeys } from './settings.js';

const sysctl: Module<SysctlArgs> = {
  name: 'sysctl',
  schema,
  needs(args, ctx) {
    neverValidKeys(args, ctx);
    const keys: FactQuery[] = Object.keys(args.settings ?? {}).map((key) => ({ kind: 'sysctl', key }));
    return [{ kind: 'file', path: args.file }, ...keys, ...loadOrderQueries()];
  },
  diff: sysctlDiff,
  inspect: sysctlInspect,
};

export default sysctl;
