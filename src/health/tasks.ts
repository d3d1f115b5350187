// Health tasks (a play's `health:` list, or the plays of the `health` command) use probe modules.
import type { Problem } from '../errors.js';
import type { ModuleRegistry } from '../modules-registry.js';
import type { Task } from '../playbook/types.js';

export function healthTaskProblems(tasks: Task[], registry: Pick<ModuleRegistry, 'get' | 'names'>): Problem[] {
  const probes = registry.names().filter((n) => registry.get(n)?.probe);
  return tasks
    .filter((t) => registry.get(t.module) && !registry.get(t.module)!.probe)
    .map((t) => ({
      message: `health task "${t.name}" uses ${t.module}, which changes hosts instead of probing them`,
      pos: t.pos,
      task: t.name,
      hint: `a health list holds probe modules only: ${probes.join(', ') || '(none installed)'}`,
    }));
}
