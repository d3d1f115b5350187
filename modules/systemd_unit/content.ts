// The unit file or drop-in text, from a template or a `sections` map, and its directives checked
// against what systemd knows: systemd ignores unknown ones with a log line nobody reads.
import type { PlanContext } from '../../src/module.js';
import { checkDirective, checkSection, checkSections } from '../_shared/systemd-check.js';
import { parseUnitFile, renderUnitSections } from '../_shared/systemd-ini.js';
import type { SystemdUnitArgs } from './schema.js';

function header(ctx: PlanContext): string[] {
  return [`Managed by portsync-deploy (task: ${ctx.taskName ?? 'systemd_unit'}). Do not edit: changes are overwritten on the next run.`];
}

function checkRendered(text: string, template: string, ctx: PlanContext): void {
  const { sections, entries } = parseUnitFile(text);
  for (const s of sections) {
    const p = checkSection(s.name);
    if (p) ctx.error(`${template} (rendered line ${s.line}): ${p.message}`, ['template'], p.hint);
  }
  for (const e of entries) {
    const p = checkDirective(e.section, e.key);
    if (p) ctx.error(`${template} (rendered line ${e.line}): ${p.message}`, ['template'], p.hint);
  }
}

/** The desired file content, or null when the task manages only enablement/state. */
export function desiredContent(args: SystemdUnitArgs, ctx: PlanContext): string | null {
  if (args.sections !== undefined) {
    for (const p of checkSections(args.sections)) {
      ctx.error(p.message, p.key === undefined ? ['sections', p.section] : ['sections', p.section, p.key], p.hint);
    }
    return renderUnitSections(args.sections, header(ctx));
  }
  if (args.template !== undefined) {
    const text = ctx.render(args.template, {
      managed_by: 'portsync-deploy',
      task_name: ctx.taskName ?? 'systemd_unit',
      ...args.vars,
    });
    checkRendered(text, args.template, ctx);
    return text;
  }
  return null;
}
