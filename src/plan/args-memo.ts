// A task's args rendered and validated once per distinct set of values its templates read: the
// hosts of a group read the same values, so they share one render and one validation (which fills
// the schema's defaults) instead of one per host. The key is what the render read under each
// top-level name: strings and numbers by value, containers by identity (hosts share their group's
// objects, so identity is both exact and cheap). A host for which any read value differs, `!unsafe`
// marks included, renders afresh. The hosts of one key share a deep copy made once and frozen, so
// no host can change another's args (nor the variables the copy was made from). Keys stay in
// memory only and are never shown.
import type { Task, Vars } from '../playbook/types.js';
import { recordingNames } from '../render/name-reads.js';
import { copyContainer } from '../render/expr-template.js';
import { nameKey } from './value-keys.js';
import { MAX_KEY_CHARS } from '../memo.js';

const MAX_SHAPES = 8;
const MAX_OUTPUTS = 256;

interface Shape {
  names: string[];
  /** Validated args by the key of the values read. */
  outputs: Map<string, Vars>;
}

/** What `vars` holds under each of `names` (value-keys.ts), as one string; undefined when a
 *  value cannot be keyed. */
function keyOf(vars: Vars, names: readonly string[]): string | undefined {
  let key = '';
  for (const name of names) {
    const part = nameKey(vars, name);
    if (part === undefined) return undefined;
    key += part;
    if (key.length > MAX_KEY_CHARS) return undefined;
  }
  return key;
}

/** A frozen copy of every container of `v`, keeping positions and marks. */
function frozenCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  const copy = copyContainer(v as Record<string, unknown>);
  for (const k of Object.keys(copy)) copy[k] = frozenCopy(copy[k]);
  return Object.freeze(copy) as T;
}

/** The frozen copies handed out: hosts holding one hold the same args, unchangeable. */
const sharedCopies = new WeakSet<object>();

/** `args` is a copy this memo shares between hosts (deeply frozen, so its identity says its value). */
export function isSharedArgs(args: object): boolean {
  return sharedCopies.has(args);
}

export class ArgsMemo {
  private readonly byTask = new WeakMap<Task, Map<string, Shape>>();

  /**
   * `task`'s args for `vars`: remembered, or `render`ed and `validate`d (which may fill defaults
   * in place; it returns whether they are valid: only valid args are remembered, so every problem
   * is found and reported for each host as before).
   */
  args(task: Task, vars: Vars, render: () => Vars, validate: (args: Vars) => boolean): Vars {
    const shapes = this.byTask.get(task);
    if (shapes)
      for (const shape of shapes.values()) {
        const key = keyOf(vars, shape.names);
        const hit = key === undefined ? undefined : shape.outputs.get(key);
        if (hit) return hit;
      }
    const { value: args, reads } = recordingNames(vars, render);
    if (!validate(args) || reads.unkeyable) return args;
    const key = keyOf(vars, reads.names);
    if (key === undefined) return args;
    const shared = frozenCopy(args);
    sharedCopies.add(shared);
    this.keep(task, reads.names, key, shared);
    return shared;
  }

  private keep(task: Task, names: string[], key: string, args: Vars): void {
    let shapes = this.byTask.get(task);
    if (!shapes) this.byTask.set(task, (shapes = new Map()));
    const sig = JSON.stringify(names);
    let shape = shapes.get(sig);
    if (!shape) {
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      shapes.set(sig, (shape = { names, outputs: new Map() }));
    }
    if (shape.outputs.size >= MAX_OUTPUTS) shape.outputs.clear();
    shape.outputs.set(key, args);
  }
}
