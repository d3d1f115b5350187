// --tags / --skip-tags selection, as Ansible 2.14 does it: a task carries its play's tags too;
// an untagged task carries `untagged`; `always` runs unless skipped by name; `never` runs only when
// asked for by name; `all` and `tagged` select (or skip) every task / every tagged task.
import type { Play, Task } from '../playbook/types.js';

export interface TagFilter {
  only: string[];
  skip: string[];
}

const UNTAGGED = 'untagged';

export function taskSelected(play: Play, task: Task, f: TagFilter): boolean {
  const own = new Set([...play.tags, ...task.tags]);
  const tags = own.size ? own : new Set([UNTAGGED]);
  const tagged = !(tags.size === 1 && tags.has(UNTAGGED));
  const only = f.only.length ? f.only : ['all'];
  const asked =
    tags.has('always') ||
    (only.includes('all') && !tags.has('never')) ||
    only.some((t) => tags.has(t)) ||
    (only.includes('tagged') && tagged && !tags.has('never'));
  if (!asked) return false;
  if (f.skip.includes('all')) return tags.has('always') && !f.skip.includes('always');
  if (f.skip.some((t) => tags.has(t))) return false;
  return !(f.skip.includes('tagged') && tagged);
}
