// One exec per host gathers the host facts plus every task's declared needs.
import { GatherError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import type { FactQuery, Facts } from './types.js';
import { composeGatherScript, parseGatherOutput, uniqueQueries, type GatherTarget } from './gather-script.js';
import { buildFacts } from './facts-view.js';
import { hostFactsScript, parseHostFacts } from './host-facts.js';

/** The gather script for these queries (the probe phase runs it after its actions). */
export function gatherScript(target: GatherTarget, queries: FactQuery[]): string {
  return composeGatherScript(uniqueQueries(queries), target, hostFactsScript());
}

export async function gatherFacts(transport: Transport, queries: FactQuery[]): Promise<Facts> {
  const qs = uniqueQueries(queries);
  const script = gatherScript({ root: transport.root, offline: transport.offline }, qs);
  const res = await transport.exec(script);
  if (res.rc !== 0) throw new GatherError(`fact gathering failed (exit ${res.rc}): ${res.stderr.trim()}`);
  const parsed = parseGatherOutput(res.stdout);
  return buildFacts(parseHostFacts(parsed.hostText), qs, parsed.answers);
}
