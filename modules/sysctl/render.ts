// The managed sysctl.d file, rendered from templates/sysctl.conf.hbs.
import type { PlanContext } from '../../src/module.js';
import type { Setting } from './settings.js';

export const TEMPLATE = 'sysctl.conf.hbs';

export function renderConf(ctx: PlanContext, settings: Setting[]): string {
  return ctx.render(TEMPLATE, { managed_by: 'portsync-deploy', task_name: ctx.taskName ?? 'sysctl', settings });
}
