// Which tasks run once a task fails, as Ansible handles failures in block / rescue / always: a
// failure in a block's tasks moves to its rescue part; its always part runs either way; a block
// whose failure was not rescued (or whose rescue or always part failed) fails where it sits.
// Used twice: by the planner (failures known before anything runs) and by the apply results
// (failures the script reported), so both tell the same story.
import type { BlockPlace, Task } from '../playbook/types.js';

export type FlowMode = 'run' | 'skip' | 'standby';

export class BlockFlow {
  /** `b<id>`: the block part failed; `r<id>` / `a<id>`: its rescue / always part failed. */
  private readonly failed = new Set<string>();
  private open: BlockPlace[] = [];
  hostFailed = false;

  /** `planning`: a rescue part whose block has not failed (yet) is planned on standby. */
  constructor(private readonly planning: boolean) {}

  /** Call for each task in order, before asking its mode: closes the blocks it is not in. */
  enter(task: Task): void {
    const chain = task.blocks ?? [];
    let keep = 0;
    while (keep < this.open.length && keep < chain.length && this.open[keep]!.id === chain[keep]!.id) keep++;
    this.closeTo(keep);
    this.open = [...chain];
  }

  /** After the last task. */
  end(): void {
    this.closeTo(0);
  }

  mode(task: Task): FlowMode {
    if (this.hostFailed) return 'skip';
    let standby = false;
    for (const place of task.blocks ?? []) {
      if (place.part === 'block' && this.failed.has(`b${place.id}`)) return 'skip';
      if (place.part === 'rescue') {
        if (this.failed.has(`r${place.id}`)) return 'skip';
        if (!this.failed.has(`b${place.id}`)) {
          if (!this.planning) return 'skip';
          standby = true;
        }
      }
      if (place.part === 'always' && this.failed.has(`a${place.id}`)) return 'skip';
    }
    return standby ? 'standby' : 'run';
  }

  /** The task failed (not ignored): mark the innermost part it sits in, or the host. */
  fail(task: Task): void {
    this.failAt(task.blocks ?? []);
  }

  /** Whether the failure of a task in this chain is handled by a rescue (the host is not failed by it). */
  static rescuedAt(chain: BlockPlace[]): boolean {
    return chain.some((p) => p.part === 'block' && p.rescued);
  }

  private failAt(chain: BlockPlace[]): void {
    const inner = chain[chain.length - 1];
    if (!inner) {
      this.hostFailed = true;
      return;
    }
    this.failed.add(`${inner.part[0]}${inner.id}`);
  }

  private closeTo(depth: number): void {
    while (this.open.length > depth) {
      const place = this.open[this.open.length - 1]!;
      this.open = this.open.slice(0, -1);
      const id = place.id;
      const unhandled = (this.failed.has(`b${id}`) && !place.rescued) || this.failed.has(`r${id}`) || this.failed.has(`a${id}`);
      if (unhandled) this.failAt(this.open);
    }
  }
}
