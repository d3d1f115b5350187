// Renders a task's args for one host. Every templated string that fails becomes a Problem at the
// arg's own file:line:column, naming host and task; all of them are reported together. A mapping
// key whose value renders to `omit` is left out.
import { TemplateError, ValidationError, type Problem } from '../errors.js';
import type { Task, Vars } from '../playbook/types.js';
import { posAtPath } from '../source-map.js';
import { formatPath } from '../source-map.js';
import { copyContainer, hasTemplate, renderString } from './expr-template.js';
import { isRaw, isUnsafe } from '../raw-data.js';
import { OMIT } from './expr-values.js';

export function renderArgs(args: Vars, vars: Vars, where: { task: Task; host: string }): Vars {
  const problems: Problem[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      if (!hasTemplate(value)) return value;
      try {
        return renderString(value, vars);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        problems.push({
          message: e.message,
          hint: e.hint,
          pos: posAtPath(where.task.args, path) ?? where.task.pos,
          path: formatPath(where.task.module, path),
          host: where.host,
          task: where.task.name,
        });
        return value;
      }
    }
    if (value === null || typeof value !== 'object' || isRaw(value)) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const key = Array.isArray(value) ? Number(k) : k;
      if (isUnsafe(value, key)) continue;
      const r = walk(v, [...path, key]);
      if (r === v) continue;
      copy ??= copyContainer(value as Record<string, unknown>);
      if (r === OMIT && !Array.isArray(value)) delete copy[k];
      else copy[k] = r;
    }
    return copy ?? value;
  };
  const out = walk(args, []) as Vars;
  if (problems.length) throw new ValidationError(problems);
  return out === args ? copyContainer(args) : out;
}
