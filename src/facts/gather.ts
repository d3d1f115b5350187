// One exec per host gathers every task's declared needs.
import { GatherError } from '../errors.js';
import type { ExecResult, Transport } from '../transport/types.js';
import type { FactQuery, Facts, HostFacts } from './types.js';
import {
  composeGatherScript,
  outputText,
  parseGatherOutput,
  uniqueQueries,
  type GatherTarget,
  type ParsedGather,
} from './gather-script.js';
import { buildFacts } from './facts-view.js';
import { parseHostFacts } from './host-facts.js';
import { memoByString } from '../memo.js';

/** A gather's facts and its raw output (one char per byte): the same script prints the same bytes
 *  while the host stays as it was, which is what a guarded apply compares. */
export interface Gathered {
  facts: Facts;
  stdout: string;
}

/** The gather script for these queries; deterministic, so running it again can be compared
 *  (the probe phase runs it after its actions). */
export function gatherScript(target: GatherTarget, queries: FactQuery[]): string {
  return composedScript(JSON.stringify([target.root, target.offline, uniqueOf(queries)]));
}

const uniqueLists = new WeakMap<FactQuery[], FactQuery[]>();
/** A host's list of queries made unique once: its script is composed from it and its output read
 *  by it, with the same list. */
function uniqueOf(queries: FactQuery[]): FactQuery[] {
  let unique = uniqueLists.get(queries);
  if (!unique) uniqueLists.set(queries, (unique = uniqueQueries(queries)));
  return unique;
}

/** A fleet's hosts mostly ask the same queries: each script is composed once, kept in this
 *  process only (it may hold the rendered values of the queries, as the queries do). */
const composedScript = memoByString((key) => {
  const [root, offline, queries] = JSON.parse(key) as [string, boolean, FactQuery[]];
  return composeGatherScript(queries, { root, offline });
}, 64);

/** The facts in the output of `gatherScript(…, queries)`. */
export function readGather(queries: FactQuery[], res: ExecResult): Gathered {
  if (res.rc !== 0) throw new GatherError(`fact gathering failed (exit ${res.rc}): ${res.stderr.trim()}`);
  const qs = uniqueOf(queries);
  const output = outputText(res);
  let parsed;
  try {
    parsed = parseGatherOutput(output);
  } catch (err) {
    throw new GatherError(`fact gathering failed: ${(err as Error).message}`);
  }
  return { facts: buildFacts(hostFactsOf(qs, parsed), qs, parsed.answers, parsed.dirs), stdout: output };
}

export async function gather(transport: Transport, queries: FactQuery[]): Promise<Gathered> {
  return readGather(queries, await transport.exec(gatherScript({ root: transport.root, offline: transport.offline }, queries)));
}

export async function gatherFacts(transport: Transport, queries: FactQuery[]): Promise<Facts> {
  return (await gather(transport, queries)).facts;
}

/** The host section when one of the queries asked for it. */
export function hostFactsOf(queries: FactQuery[], parsed: ParsedGather): HostFacts | undefined {
  return queries.some((q) => q.kind === 'host') ? parseHostFacts(parsed.host ?? new Map()) : undefined;
}
