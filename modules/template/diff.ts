// The template module's diff: the file rendered for this host against the one on the target.
import { effectiveStat, fileChange } from '../_shared/file-change.js';
import { validateCommandOk } from '../_shared/validate-command.js';
import type { TemplateArgs } from './schema.js';
import type { Facts } from '../../src/facts/types.js';
import type { Change, PlanContext } from '../../src/module.js';

export function templateDiff(facts: Facts, args: TemplateArgs, ctx: PlanContext): Change[] {
  const stat = effectiveStat(facts.stat(args.dest), args.follow);
  if (stat && stat.type !== 'file') {
    ctx.error(`${args.dest} exists and is a ${stat.type === 'dir' ? 'directory' : 'special file'}`, ['dest'], 'point dest at a file path');
    return [];
  }
  if (!validateCommandOk(args.validate, ctx)) return [];
  // Every template can name what manages the file in its header.
  const ansibleManaged = args.src.endsWith('.j2') && ctx.vars.ansible_managed === undefined ? { ansible_managed: 'Ansible managed' } : {};
  const content = ctx.render(args.src, {
    managed_by: 'portsync-deploy',
    task_name: ctx.taskName ?? 'template',
    ...ansibleManaged,
    ...args.vars,
  });
  const change = fileChange(facts, {
    path: args.dest,
    content,
    mode: args.mode,
    owner: args.owner,
    group: args.group,
    validate: args.validate,
    follow: args.follow,
  });
  return change ? [change] : [];
}
