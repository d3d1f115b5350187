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

/** Probe modules belong in a play's health list: under tasks: or handlers: they would run in the
 *  plan, before anything is applied, and a probe that acts (a port flap) would act in --check. */
export function probeTaskProblems(tasks: Task[], list: 'tasks' | 'handlers', registry: Pick<ModuleRegistry, 'get'>): Problem[] {
  return tasks
    .filter((t) => registry.get(t.module)?.probe)
    .map((t) => ({
      message: `${list === 'tasks' ? 'task' : 'handler'} "${t.name}" uses ${t.module}, a probe, which belongs in the play's health: list`,
      pos: t.pos,
      task: t.name,
      hint: `move it under health:, which runs after each batch is applied`,
    }));
}
