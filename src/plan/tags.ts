// --tags / --skip-tags selection, as Ansible does it: a task carries its play's tags too,
// `always` runs unless skipped by name, --skip-tags wins over --tags.
import type { Play, Task } from '../playbook/types.js';

export interface TagFilter {
  only: string[];
  skip: string[];
}

export function taskSelected(play: Play, task: Task, f: TagFilter): boolean {
  const tags = new Set([...play.tags, ...task.tags]);
  if (f.skip.some((t) => tags.has(t))) return false;
  if (f.only.length === 0 || f.only.includes('all')) return true;
  return tags.has('always') || f.only.some((t) => tags.has(t));
}
