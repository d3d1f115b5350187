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
import { isUnsafe } from '../raw-data.js';
import { MAX_KEY_CHARS } from '../memo.js';

const MAX_SHAPES = 8;
const MAX_OUTPUTS = 256;

interface Shape {
  names: string[];
  /** Validated args by the key of the values read. */
  outputs: Map<string, Vars>;
}

const ids = new WeakMap<object, number>();
let nextId = 0;

function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
}

/** What `vars` holds under each of `names`, as a string that differs whenever a render could
 *  (each part length-prefixed, so no two lists run together the same); undefined when a value
 *  cannot be keyed. */
function keyOf(vars: Vars, names: readonly string[]): string | undefined {
  let key = '';
  for (const name of names) {
    if (!Object.hasOwn(vars, name)) {
      key += '-';
      continue;
    }
    const v = vars[name];
    const mark = isUnsafe(vars, name) ? 'U' : '';
    let part: string;
    switch (typeof v) {
      case 'string':
        part = `s${v.length}:${v}`;
        break;
      case 'number':
        part = Object.is(v, -0) ? 'n-0;' : `n${v};`;
        break;
      case 'bigint':
        part = `b${v};`;
        break;
      case 'boolean':
        part = v ? 't' : 'f';
        break;
      case 'undefined':
        part = 'u';
        break;
      case 'object':
        part = v === null ? 'z' : `o${idOf(v)};`;
        break;
      default:
        return undefined;
    }
    key += mark + part;
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
