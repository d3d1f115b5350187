// A module's diff made once per distinct set of inputs: hosts whose task has the same shared args
// (args-memo.ts) and whose facts and variables give the same results for every read the diff made
// get the changes, warnings, notes and problems of a diff already made, without diffing again.
// A diff is a pure function of its args, what it reads of the facts and variables it is given,
// and its context's constants (the task, check mode, the offline flag, the run's own reads, which
// are one per plan environment like this memo), so the memo is exact as long as every read is
// recorded (recorded-reads.ts: its templates, conditions and expressions read the variables
// through the same recording view; a .j2 template file is a read made again on each host). A diff
// that reads anything else (a lookup, a listing of all variables, a fact read that throws) or
// throws is not remembered.
//
// The diffs made for one task's args form a tree: each node is a read, its branches the results
// seen, each leaf a diff's outcome. A pure diff given the same results makes the same next read,
// so a host walks one path, making each read on its own facts and variables.
import type { Change, PlanContext } from '../module.js';
import type { Facts } from '../facts/types.js';
import type { Vars } from '../playbook/types.js';
import { outsideReads, recordingControlReads } from '../render/name-reads.js';
import { MAX_KEY_CHARS } from '../memo.js';
import { isSharedArgs } from './args-memo.js';
import { perPlanEnv } from './env-state.js';
import { ReadRecorder, type Read } from './recorded-reads.js';
import type { PlanEnv, PreparedTask } from './types.js';

/** Outcomes kept per task's args and offline flag; past it the tree starts afresh. */
const MAX_OUTCOMES = 256;

/** What a diff reported through its context, in order, to report again for another host. */
type Call = { kind: 'warn' | 'note'; message: string } | { kind: 'error'; message: string; argPath?: (string | number)[]; hint?: string };

interface Outcome {
  /** Deeply frozen: every host of the outcome holds the same objects. */
  changes: Change[];
  calls: Call[];
}

interface Node {
  read?: Read;
  branches?: Map<string, Node>;
  /** The first branch: while it is the only one, a host's key is compared with it, not hashed
   *  (a key may hold a whole file's content). */
  firstKey?: string;
  first?: Node;
  outcome?: Outcome;
}

interface Tree {
  root: Node;
  outcomes: number;
}

/** By plan environment, then by shared args (each is one task's: args-memo.ts keys by task), then
 *  online and offline apart. */
const treesOf = perPlanEnv(() => new WeakMap<object, Tree[]>());

function treeOf(env: PlanEnv, args: object, offline: boolean): Tree {
  const byArgs = treesOf(env);
  let both = byArgs.get(args);
  if (!both) byArgs.set(args, (both = []));
  return (both[offline ? 1 : 0] ??= { root: {}, outcomes: 0 });
}

/**
 * `p.module.diff` on `facts` for a host with `vars`, or the outcome of a diff already made with
 * the same inputs. `context` makes the diff's context over the variables given (a recording
 * view of them while the diff is recorded).
 */
export function memoisedDiff(
  env: PlanEnv,
  p: Pick<PreparedTask, 'module' | 'args'>,
  offline: boolean,
  facts: Facts,
  vars: Vars,
  context: (vars: Vars) => PlanContext,
): Change[] {
  // Shared args are frozen, so their identity says their value; other args are the host's own.
  // Variables with a prototype of their own could be read past the recording view.
  const proto = Object.getPrototypeOf(vars) as unknown;
  if (!isSharedArgs(p.args) || (proto !== Object.prototype && proto !== null)) return p.module.diff(facts, p.args, context(vars));
  const tree = treeOf(env, p.args, offline);
  const known = find(tree.root, facts, vars);
  if (known) {
    if (!known.calls.length) return known.changes;
    const ctx = context(vars);
    for (const c of known.calls) {
      if (c.kind === 'error') ctx.error(c.message, c.argPath, c.hint);
      else ctx[c.kind](c.message);
    }
    return known.changes;
  }
  const recorder = new ReadRecorder(facts, vars);
  const calls: Call[] = [];
  const before = outsideReads();
  const changes = recordingControlReads(
    (read, key) => recorder.noteControl(read, key),
    () => p.module.diff(recorder.facts, p.args, recordingContext(context(recorder.vars), calls)),
  );
  if (!recorder.unkeyable && outsideReads() === before && plainTree(changes)) {
    deepFreeze(changes);
    keep(tree, recorder.reads, { changes, calls });
  }
  return changes;
}

/** The outcome at the end of the path `facts` and `vars` take, if one was kept. */
function find(root: Node, facts: Facts, vars: Vars): Outcome | undefined {
  let node: Node | undefined = root;
  while (node && !node.outcome) {
    if (!node.read) return undefined;
    const key = node.read.again(facts, vars);
    if (key === undefined) return undefined;
    node = node.branches!.size === 1 ? (key === node.firstKey ? node.first : undefined) : node.branches!.get(key);
  }
  return node?.outcome;
}

/** Adds a recorded path; a path that parts from the tree's reads (a diff that read in another
 *  order, as a template's own memo may) is left out, as is one whose results are too long to keep. */
function keep(tree: Tree, reads: ReadRecorder['reads'], outcome: Outcome): void {
  let chars = 0;
  for (const { key } of reads) chars += key.length;
  if (chars > MAX_KEY_CHARS) return;
  if (tree.outcomes >= MAX_OUTCOMES) Object.assign(tree, { root: {}, outcomes: 0 });
  let node = tree.root;
  for (const { read, key } of reads) {
    if (node.outcome) return;
    if (!node.read) {
      node.read = read;
      node.branches = new Map();
    } else if (node.read.id !== read.id) return;
    let next = node.branches!.get(key);
    if (!next) {
      node.branches!.set(key, (next = {}));
      if (node.branches!.size === 1) Object.assign(node, { firstKey: key, first: next });
    }
    node = next;
  }
  if (node.read || node.outcome) return;
  node.outcome = outcome;
  tree.outcomes++;
}

/** `ctx` with what the diff reports noted in `calls`. */
function recordingContext(ctx: PlanContext, calls: Call[]): PlanContext {
  return {
    ...ctx,
    warn: (message) => (calls.push({ kind: 'warn', message }), ctx.warn(message)),
    note: (message) => (calls.push({ kind: 'note', message }), ctx.note(message)),
    error: (message, argPath, hint) => (calls.push({ kind: 'error', message, argPath, hint }), ctx.error(message, argPath, hint)),
  };
}

const MAX_DEPTH = 64;

/** Lists and plain objects all the way down (no cycle, no class instance, no function). */
function plainTree(v: unknown, depth = 0): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function' && typeof v !== 'symbol';
  const proto = Object.getPrototypeOf(v) as unknown;
  if (depth >= MAX_DEPTH || (!Array.isArray(v) && proto !== Object.prototype && proto !== null)) return false;
  for (const item of Object.values(v)) if (!plainTree(item, depth + 1)) return false;
  return true;
}

/** Freezes a plain tree (see plainTree), into objects frozen already. */
function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  Object.freeze(v);
  for (const item of Object.values(v)) deepFreeze(item);
}
