// The probe phase: what health tasks read, with the actions some probes take (a self-test port
// flap) in between, in ONE exec per host. It runs only after an apply (the health gate) and in
// `health`; no gather ever runs an action. Order on the host: every action's `before` reads,
// each action, then the probes' own reads, so the probes see the actions' effect.
import { GatherError } from '../errors.js';
import type { ProbeAction } from '../module.js';
import type { FactQuery, Facts } from '../facts/types.js';
import {
  composeGatherScript,
  fenceLine,
  outputText,
  parseGatherOutput,
  splitAtFence,
  uniqueQueries,
  type RawAnswer,
} from '../facts/gather-script.js';
import { gatherFacts, gatherScript, hostFactsOf } from '../facts/gather.js';
import { buildFacts } from '../facts/facts-view.js';
import { MARK, shArgv, shq } from '../script/shell.js';
import type { Transport } from '../transport/types.js';

/** One action, its exit code and output as a marker line (base64, like a gather's `cmd`). */
function actionScript(i: number, argv: string[], root: string): string {
  const run = root ? `chroot ${shq(root)} ${shArgv(argv)}` : shArgv(argv);
  return `W=$(mktemp -d) || exit 90
(cd / && ${run}) </dev/null >"$W/o" 2>"$W/e"; r=$?
printf '%s %s b' '${MARK} act ${i}' "$r"; base64 <"$W/o" | tr -d '\\n'; printf ' b'; base64 <"$W/e" | tr -d '\\n'; echo; rm -rf "$W"`;
}

export function probePhaseScript(t: { root: string; offline: boolean }, queries: FactQuery[], actions: ProbeAction[]): string {
  const before = uniqueQueries(actions.flatMap((a) => a.before));
  return `psd_probe() {
psd_read_before() {
${composeGatherScript(before, t)}}
psd_read() {
${gatherScript(t, queries)}}
(psd_read_before)
${actions.map((a, i) => actionScript(i, a.argv, t.root)).join('\n')}
echo '${fenceLine('read')}'
(psd_read)
}
psd_probe
`;
}

/** The facts of a probe phase (its output one char per byte): the `before` reads, each action as a
 *  `cmd` fact, the probes' reads. */
export function probePhaseFacts(output: string, queries: FactQuery[], actions: ProbeAction[]): Facts {
  const [head, reads] = splitAtFence(output, 'read');
  if (reads === undefined) throw new GatherError('the probe phase was cut short before its reads');
  const before = uniqueQueries(actions.flatMap((a) => a.before));
  const main = uniqueQueries(queries);
  const first = parseGatherOutput(head);
  const answers = new Map<number, RawAnswer>(first.answers);
  for (const line of first.other.filter((l) => l.startsWith(`${MARK} act `))) {
    const [, , i, rc, out = 'b', err = 'b'] = line.split(' ');
    const decode = (f: string) => Buffer.from(f.slice(1), 'base64').toString('utf8');
    answers.set(before.length + Number(i), { status: 'ok', fields: [rc ?? '1', decode(out), decode(err)], items: [] });
  }
  const read = parseGatherOutput(reads);
  for (const [i, a] of read.answers) answers.set(before.length + actions.length + i, a);
  const acted: FactQuery[] = actions.map((a) => ({ kind: 'cmd', argv: a.argv }));
  return buildFacts(hostFactsOf(main, read), [...before, ...acted, ...main], answers);
}

export async function probePhase(transport: Transport, queries: FactQuery[], actions: ProbeAction[]): Promise<Facts> {
  if (!actions.length) return gatherFacts(transport, queries);
  const res = await transport.exec(probePhaseScript({ root: transport.root, offline: transport.offline }, queries, actions));
  if (res.rc !== 0) throw new GatherError(`the probe phase failed (exit ${res.rc}): ${res.stderr.trim()}`);
  return probePhaseFacts(outputText(res), queries, actions);
}
