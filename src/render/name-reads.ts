// Which top-level variables a render read, and whether each was there: a render of task args is a
// pure function of the values under those names (a lookup reads files, so a render that makes one
// is not keyed, nor is anything a memo makes of it). Names bound inside the render (a Jinja
// loop's or `set`'s frame) are its own.
export interface NameReads {
  /** The variables the render started from. */
  readonly root: object;
  /** Names read from `root` (or missing from it), in the order first read. */
  readonly names: string[];
  readonly seen: Set<string>;
  /** Something was read that the names do not account for. */
  unkeyable: boolean;
}

let active: NameReads | undefined;

/** Runs `render` over `root`, noting every top-level name it reads. */
export function recordingNames<T>(root: object, render: () => T): { value: T; reads: NameReads } {
  const outer = active;
  // A recording inside another one: the outer one cannot tell which of its names these were.
  if (outer) outer.unkeyable = true;
  const reads: NameReads = { root, names: [], seen: new Set(), unkeyable: false };
  active = reads;
  try {
    return { value: render(), reads };
  } finally {
    active = outer;
  }
}

/** `name` was looked up from `scope`, and found in `frame` (undefined when missing). */
export function noteRead(scope: object, frame: object | undefined, name: string): void {
  const r = active;
  if (!r) return;
  const fromRoot = scope === r.root || Object.prototype.isPrototypeOf.call(r.root, scope);
  if (!fromRoot) r.unkeyable = true;
  else if (frame === undefined || frame === r.root) {
    if (!r.seen.has(name)) {
      r.seen.add(name);
      r.names.push(name);
    }
  } else if (!Object.prototype.isPrototypeOf.call(r.root, frame)) r.unkeyable = true;
}

/** Reads of something other than variables so far in this process: a memo compares the count
 *  before and after a call to tell whether the call made one. */
let outside = 0;

/** A read of the control machine's files that can be made again: `again()` gives what it finds
 *  now as a key (undefined when it finds nothing it can key), to compare with the key first seen. */
export interface ControlRead {
  id: string;
  again(): string | undefined;
}

let controlReads: ((read: ControlRead, key: string) => void) | undefined;

/** Runs `body`, handing each control read it makes to `sink` instead of counting it as outside. */
export function recordingControlReads<T>(sink: (read: ControlRead, key: string) => void, body: () => T): T {
  const outer = controlReads;
  controlReads = sink;
  try {
    return body();
  } finally {
    controlReads = outer;
  }
}

/** The render read a file on the control machine, which gave `key`: a recording of control
 *  reads keeps it, anything else counts it as a read of something other than variables. */
export function noteControlRead(read: ControlRead, key: string): void {
  if (active) active.unkeyable = true;
  if (controlReads) controlReads(read, key);
  else outside++;
}

/** The render read something other than variables (a file through a lookup, a template file). */
export function noteUnkeyable(): void {
  outside++;
  if (active) active.unkeyable = true;
}

export function outsideReads(): number {
  return outside;
}
