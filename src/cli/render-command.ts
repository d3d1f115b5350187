// `render --host H TEMPLATE`: one template rendered with one host's resolved variables.
import { secrets } from '../secrets/redact.js';
import { EXIT, ValidationError } from '../errors.js';
import { renderTemplateFile } from '../render/template.js';
import { hostVars } from '../vars/precedence.js';
import type { CliOptions } from './options.js';
import { extraVars, requireInventory, templatesDirOf } from './workspace.js';

export function renderCommand(o: CliOptions, template: string | undefined): number {
  if (!o.host || !template)
    throw new ValidationError([
      {
        message: 'render needs --host H and a TEMPLATE',
        hint: 'portsync-deploy render --host leaf01 sysctl.conf.hbs -i inventories/example-dc1',
      },
    ]);
  const inv = requireInventory(o);
  // Modules render with these two set (the managed-file header); so does `render`, under the host's vars.
  const vars = { managed_by: 'portsync-deploy', task_name: 'render', ...hostVars(inv, o.host, { extra: extraVars(o) }) };
  process.stdout.write(secrets.redactText(renderTemplateFile(templatesDirOf(vars), template, vars)));
  return EXIT.ok;
}
