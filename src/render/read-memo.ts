// A template's output is a function of the values it reads from its variables, nothing else: the
// helpers are pure and the partials fixed. So each render records what it read (every property
// read, `in` test, own-property check and key listing, with its result) and a later render whose
// variables give the same results for the same reads gets the recorded output. Hosts whose
// templates read the same group values share one render; a host for which any read value differs
// (a secret included: results are compared by value) renders afresh. Bounded per template.
const MAX_SHAPES = 8;
const MAX_OUTPUTS = 256;

type Op = 'get' | 'has' | 'own' | 'keys';

/** What was read of one object, and what was read of the objects reached from it. */
interface ReadNode {
  ops: { op: Op; key: string; seen: string }[];
  /** `${op}\0${key}` → its index in `ops`, so a repeated read is recorded once. */
  index: Map<string, number>;
  children: Map<string, ReadNode>;
}

/** One set of reads (renders that took the same branches) and the outputs per read values. */
interface Shape {
  root: ReadNode;
  /** By the known top layer's key ('' without one), then by the results of the reads. */
  outputs: Map<string, Map<string, string>>;
}

/** Values a read cannot be keyed by (functions of the data, exotic objects): not memoised. */
class Unkeyable extends Error {}

const node = (): ReadNode => ({ ops: [], index: new Map(), children: new Map() });

/** A read's result as a string that differs whenever the result could make the render differ. */
function seen(v: unknown, own: boolean): string {
  switch (typeof v) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
    case 'bigint':
      return `n${String(v)}`;
    case 'string':
      return `s${v}`;
    case 'function':
      // An inherited method (toString, join) follows from the container's kind, recorded already.
      if (own) throw new Unkeyable();
      return `F${v.name}`;
    case 'symbol':
      throw new Unkeyable();
  }
  if (v === null) return 'n';
  if (Array.isArray(v)) return 'A';
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === Object.prototype) return 'O';
  if (proto === null) return 'N';
  throw new Unkeyable();
}

function ownKeysSeen(keys: (string | symbol)[]): string {
  if (keys.some((k) => typeof k === 'symbol')) throw new Unkeyable();
  return JSON.stringify(keys);
}

/** Reads `key` of `target` as `op` does, as the recorded render did. */
function perform(target: object, op: Op, key: string): { value?: unknown; seen: string } {
  switch (op) {
    case 'get': {
      const value = Reflect.get(target, key) as unknown;
      return { value, seen: seen(value, typeof value === 'function' && Object.prototype.hasOwnProperty.call(target, key)) };
    }
    case 'has':
      return { seen: Reflect.has(target, key) ? 't' : 'f' };
    case 'own': {
      const d = Reflect.getOwnPropertyDescriptor(target, key);
      return { seen: d ? (d.enumerable ? 'e' : 'h') : '-' };
    }
    case 'keys':
      return { seen: ownKeysSeen(Reflect.ownKeys(target)) };
  }
}

/** `target` seen through a proxy that records each read into `n`; reads of `known` keys (whose
 *  values are in the memo's key already) are not recorded. */
function recording(target: object, n: ReadNode, known?: ReadonlySet<string>): object {
  const note = (op: Op, key: string): { value?: unknown; seen: string } => {
    const r = perform(target, op, key);
    const id = `${op}\0${key}`;
    const at = n.index.get(id);
    if (at === undefined) {
      if (op !== 'keys') n.index.set(id, n.ops.length);
      n.ops.push({ op, key, seen: r.seen });
    } else if (n.ops[at]!.seen !== r.seen) throw new Unkeyable(); // a value that changes as it is read
    return r;
  };
  const ownSymbol = (key: symbol) => {
    // Symbol-keyed reads (Symbol.iterator, toPrimitive) follow from the container's kind, unless own.
    if (Object.prototype.hasOwnProperty.call(target, key)) throw new Unkeyable();
  };
  return new Proxy(target, {
    get: (t, key) => {
      if (typeof key === 'symbol') return (ownSymbol(key), Reflect.get(t, key) as unknown);
      if (known?.has(key)) return Reflect.get(t, key) as unknown;
      const { value } = note('get', key);
      if (value === null || typeof value !== 'object') return value;
      let child = n.children.get(key);
      if (!child) n.children.set(key, (child = node()));
      return recording(value, child);
    },
    has: (t, key) => (typeof key === 'symbol' ? (ownSymbol(key), Reflect.has(t, key)) : known?.has(key) || note('has', key).seen === 't'),
    getOwnPropertyDescriptor: (t, key) => {
      if (typeof key === 'symbol') ownSymbol(key);
      else if (!known?.has(key)) note('own', key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys: (t) => (note('keys', ''), Reflect.ownKeys(t)),
  });
}

/** The results of `n`'s reads on `target`, depth first, in the order the render made them. */
function replay(target: object, n: ReadNode, out: string[]): void {
  for (const { op, key } of n.ops) out.push(perform(target, op, key).seen);
  for (const [key, child] of n.children) {
    const v = Reflect.get(target, key) as unknown;
    // Its kind is among the results already; a different one differs there.
    if (v !== null && typeof v === 'object') replay(v, child, out);
  }
}

/** The results as the render saw them, in `replay`'s order. */
function recorded(n: ReadNode, out: string[]): string[] {
  for (const o of n.ops) out.push(o.seen);
  for (const child of n.children.values()) recorded(child, out);
  return out;
}

function signature(n: ReadNode): string {
  const children = [...n.children].map(([k, c]) => `${JSON.stringify(k)}:${signature(c)}`);
  return `${n.ops.map((o) => `${o.op}${JSON.stringify(o.key)}`).join(',')}{${children.join(',')}}`;
}

export class ReadMemo {
  private readonly shapes = new Map<string, Shape>();

  /** `render(view)`'s output for `vars`, remembered by what it reads of `vars` through `view`.
   *  `top`: variables known to lie over all others in `vars` (a module's data for this render),
   *  keyed by their whole value at once instead of read by read, when they can be. */
  render(vars: object, render: (view: object) => string, top?: Record<string, unknown>): string {
    const fixed = top && fixedKey(top);
    const known = fixed === undefined ? undefined : new Set(Object.keys(top!));
    const hit = this.lookup(vars, fixed);
    if (hit !== undefined) return hit;
    const root = node();
    let out: string;
    try {
      out = render(recording(vars, root, known));
    } catch (e) {
      if (!(e instanceof Unkeyable)) throw e;
      return render(vars);
    }
    this.keep(root, out, fixed);
    return out;
  }

  private lookup(vars: object, fixed = ''): string | undefined {
    for (const shape of this.shapes.values()) {
      const values: string[] = [];
      try {
        replay(vars, shape.root, values);
      } catch {
        continue; // a read that fails now renders afresh, and reports its error there
      }
      const out = shape.outputs.get(fixed)?.get(JSON.stringify(values));
      if (out !== undefined) return out;
    }
    return undefined;
  }

  private keep(root: ReadNode, out: string, fixed = ''): void {
    const sig = signature(root);
    let shape = this.shapes.get(sig);
    if (!shape) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      this.shapes.set(sig, (shape = { root, outputs: new Map() }));
    }
    let byReads = shape.outputs.get(fixed);
    if (!byReads) {
      if (shape.outputs.size >= MAX_OUTPUTS) shape.outputs.clear();
      shape.outputs.set(fixed, (byReads = new Map()));
    }
    if (byReads.size >= MAX_OUTPUTS) byReads.clear();
    byReads.set(JSON.stringify(recorded(root, [])), out);
  }
}

/** The whole of `top` as one string (JSON, which tells strings, numbers, null, lists and
 *  mappings apart and keeps key order); undefined when JSON could not tell two different values
 *  apart (undefined, -0, NaN, a missing list slot, an object that is not plain data) or a string
 *  holds a "{{" that a render could resolve against the other variables. */
function fixedKey(top: Record<string, unknown>): string | undefined {
  return plainData(top, 0) ? JSON.stringify(top) : undefined;
}

function plainData(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      return !v.includes('{{');
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (depth > 32) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !plainData(v[i], depth + 1)) return false;
        return Object.keys(v).length === v.length;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const key in v) if (!plainData((v as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}
