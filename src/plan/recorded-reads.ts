// What a module's diff read of a host: every fact read through the facts it was given, every
// variable read by name through its context's variables and every template file it rendered, each
// with its result as a key (value-keys.ts), in the order first made. Each read can be made again
// on another host's facts and variables, which is how diff-memo.ts tells that host would give the
// diff the same inputs.
// Anything read that a name cannot say again (a listing of all variables, a variable written, a
// fact read that throws) makes the recording unkeyable.
import type { Facts } from '../facts/types.js';
import type { Vars } from '../playbook/types.js';
import { copyUnsafeKeys } from '../raw-data.js';
import type { ControlRead } from '../render/name-reads.js';
import { ABSENT, dataKey, nameKey } from './value-keys.js';

/** One read, as it can be made again: `id` names it (kind, method, argument). */
export interface Read {
  id: string;
  /** The result's key on another host; undefined when it cannot be keyed or the read throws. */
  again(facts: Facts, vars: Vars): string | undefined;
}

type FactMethod = 'file' | 'stat' | 'sysctl' | 'unit' | 'cmd' | 'files' | 'entries' | 'sysfs' | 'system' | 'leads';

/** A variable by name: own or not, enumerable or not, and its value (nameKey). */
export function varKey(vars: Vars, name: string): string | undefined {
  const key = nameKey(vars, name);
  // Asked without a descriptor: every host replays its diffs' reads, and a descriptor is an object.
  return key !== undefined && key !== ABSENT && !Object.prototype.propertyIsEnumerable.call(vars, name) ? `h${key}` : key;
}

/** A fact read's result as a memo tells it apart: text as it is, and the rare text that starts
 *  with a NUL and every other result by its data key after a NUL, so the two never meet. Most of
 *  what a host's facts give is text (file contents, sysctl values): no key is built of it. */
export function factKey(v: unknown): string | undefined {
  if (typeof v === 'string' && !v.startsWith('\0')) return v;
  const key = dataKey(v);
  return key === undefined ? undefined : `\0${key}`;
}

function factRead(method: FactMethod, arg: string | string[] | undefined): Read {
  const call = (facts: Facts): unknown =>
    method === 'system' ? facts.system() : (facts[method] as (a: unknown) => unknown).call(facts, arg);
  return {
    id: `f${method}\0${typeof arg === 'string' ? arg : JSON.stringify(arg)}`,
    again: (facts) => {
      try {
        return factKey(call(facts));
      } catch {
        return undefined;
      }
    },
  };
}

const HOST_READ: Read = {
  id: 'host',
  again: (facts) => {
    try {
      return factKey(facts.host);
    } catch {
      return undefined;
    }
  },
};

function varRead(name: string): Read {
  return { id: `v${name}`, again: (_facts, vars) => varKey(vars, name) };
}

export class ReadRecorder {
  /** Each distinct read with its result's key, in the order first made. */
  readonly reads: { read: Read; key: string }[] = [];
  /** Something was read that the reads cannot say again. */
  unkeyable = false;
  readonly facts: Facts;
  readonly vars: Vars;
  private readonly seen = new Set<string>();

  constructor(facts: Facts, vars: Vars) {
    this.facts = this.recordingFacts(facts);
    this.vars = this.recordingVars(vars);
  }

  /** A read of the control machine's files (a template file), with the key it gave. */
  noteControl(read: ControlRead, key: string): void {
    this.note({ id: `c${read.id}`, again: () => read.again() }, () => key);
  }

  private note(read: Read, result: () => string | undefined): void {
    if (this.unkeyable || this.seen.has(read.id)) return;
    this.seen.add(read.id);
    const key = result();
    if (key === undefined) this.unkeyable = true;
    else this.reads.push({ read, key });
  }

  /** `facts`, each read noted with its result; a read that throws is noted as unkeyable. */
  private recordingFacts(facts: Facts): Facts {
    const through = <T>(read: Read, value: () => T): T => {
      let v: T;
      try {
        v = value();
      } catch (err) {
        this.unkeyable = true;
        throw err;
      }
      this.note(read, () => factKey(v));
      return v;
    };
    const leads = facts.leads?.bind(facts);
    return {
      get host() {
        return through(HOST_READ, () => facts.host);
      },
      file: (path) => through(factRead('file', path), () => facts.file(path)),
      stat: (path) => through(factRead('stat', path), () => facts.stat(path)),
      sysctl: (key) => through(factRead('sysctl', key), () => facts.sysctl(key)),
      unit: (name) => through(factRead('unit', name), () => facts.unit(name)),
      cmd: (argv) => through(factRead('cmd', [...argv]), () => facts.cmd(argv)),
      files: (glob) => through(factRead('files', glob), () => facts.files(glob)),
      entries: (path) => through(factRead('entries', path), () => facts.entries(path)),
      sysfs: (path) => through(factRead('sysfs', path), () => facts.sysfs(path)),
      system: () => through(factRead('system', undefined), () => facts.system()),
      ...(leads ? { leads: (dir: string) => through(factRead('leads', dir), () => leads(dir)) } : {}),
    };
  }

  /** `vars` behind a view that notes each name read; listing or changing them is unkeyable. */
  private recordingVars(vars: Vars): Vars {
    const byName = (key: string | symbol) => {
      if (typeof key === 'symbol') {
        // Symbol-keyed reads (Symbol.iterator, toPrimitive) follow from the object's kind, unless own.
        if (Object.prototype.hasOwnProperty.call(vars, key)) this.unkeyable = true;
      } else this.note(varRead(key), () => varKey(vars, key));
    };
    const unkeyable = () => void (this.unkeyable = true);
    const view = new Proxy(vars, {
      get: (t, key, receiver) => (byName(key), Reflect.get(t, key, receiver) as unknown),
      has: (t, key) => (byName(key), Reflect.has(t, key)),
      getOwnPropertyDescriptor: (t, key) => (byName(key), Reflect.getOwnPropertyDescriptor(t, key)),
      ownKeys: (t) => (unkeyable(), Reflect.ownKeys(t)),
      set: (t, key, value, receiver) => (unkeyable(), Reflect.set(t, key, value, receiver)),
      defineProperty: (t, key, d) => (unkeyable(), Reflect.defineProperty(t, key, d)),
      deleteProperty: (t, key) => (unkeyable(), Reflect.deleteProperty(t, key)),
    });
    // Marks live beside objects, by identity: the view carries the variables' own.
    copyUnsafeKeys(vars, view);
    return view;
  }
}
