// One exec per host gathers every task's declared needs.
import { GatherError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import type { FactQuery, Facts, HostFacts } from './types.js';
import { composeGatherScript, parseGatherOutput, uniqueQueries, type GatherTarget, type ParsedGather } from './gather-script.js';
import { buildFacts } from './facts-view.js';
import { parseHostFacts } from './host-facts.js';

/** The gather script for these queries (the probe phase runs it after its actions). */
export function gatherScript(target: GatherTarget, queries: FactQuery[]): string {
  return composeGatherScript(uniqueQueries(queries), target);
}

export async function gatherFacts(transport: Transport, queries: FactQuery[]): Promise<Facts> {
  const qs = uniqueQueries(queries);
  const script = gatherScript({ root: transport.root, offline: transport.offline }, qs);
  const res = await transport.exec(script);
  if (res.rc !== 0) throw new GatherError(`fact gathering failed (exit ${res.rc}): ${res.stderr.trim()}`);
  let parsed;
  try {
    parsed = parseGatherOutput(res.stdout);
  } catch (err) {
    throw new GatherError(`fact gathering failed: ${(err as Error).message}`);
  }
  return buildFacts(hostFactsOf(qs, parsed), qs, parsed.answers);
}

/** The host section when one of the queries asked for it. */
export function hostFactsOf(queries: FactQuery[], parsed: ParsedGather): HostFacts | undefined {
  return queries.some((q) => q.kind === 'host') ? parseHostFacts(parsed.host ?? new Map()) : undefined;
}
