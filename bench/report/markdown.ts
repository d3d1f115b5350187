// The human summary of one benchmark run: fleet tables (with Ansible/portsync-deploy ratios),
// the site playbook's table, the daemon's figures, and how the run was made.
import type { Cell, Suite } from '../fleet/suite.js';
import type { BenchResults } from './types.js';
import { PHASES } from '../../src/timings.js';

const SCENARIO_NAMES = { cold: 'cold apply', nochange: 'no-change re-run', check: 'check (--check --diff)' } as const;

const s = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));
/** A ratio as the tables print it. */
const times = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`);
const mb = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(0));
const flag = (c: Cell | undefined) => (c && c.unexpectedExits ? ` (${c.unexpectedExits}/${c.runs.length} bad exit)` : '');

function find(cells: Cell[], suite: Suite, tool: Cell['tool'], scenario: Cell['scenario'], hosts: number) {
  return cells.find((c) => c.suite === suite && c.tool === tool && c.scenario === scenario && c.hosts === hosts);
}

/** portsync-deploy's time over the SSH floor of the same size, measured in the same run. */
function overFloor(r: BenchResults, c: Cell | undefined): string {
  const floor = r.fleet?.floor?.find((f) => f.hosts === c?.hosts);
  return c && floor ? times(c.median.seconds / floor.median) : '–';
}

function floorSeconds(r: BenchResults, hosts: number): string {
  return s(r.fleet?.floor?.find((f) => f.hosts === hosts)?.median);
}

export function fleetTable(r: BenchResults): string {
  const cells = r.fleet?.cells.filter((c) => c.suite === 'fleet') ?? [];
  const sizes = [...new Set(cells.map((c) => c.hosts))].sort((a, b) => a - b);
  const rows = [
    '| Switches | Scenario | SSH floor (s) | portsync-deploy (s) | pd ÷ floor | Ansible (s) | Ansible ÷ portsync-deploy | Round trips / host | CPU s (pd / Ansible) | Max RSS MB (pd / Ansible) | Tree PSS MB (pd / Ansible) | Load (pd) | pd, native playbook (s) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of sizes) {
    for (const sc of ['cold', 'nochange', 'check'] as const) {
      const pd = find(cells, 'fleet', 'portsync-deploy', sc, n);
      const an = find(cells, 'fleet', 'ansible', sc, n);
      const native = find(cells, 'fleet', 'portsync-deploy-native', sc, n);
      if (!pd && !an && !native) continue;
      const ratio = pd && an ? `${(an.median.seconds / pd.median.seconds).toFixed(1)}×` : '–';
      const counted = pd?.runs.length ?? an?.runs.length ?? 0;
      const hosts = counted !== r.settings.runs ? `${n} (${counted} run${counted === 1 ? '' : 's'})` : `${n}`;
      rows.push(
        `| ${hosts} | ${SCENARIO_NAMES[sc]} | ${floorSeconds(r, n)} | ${s(pd?.median.seconds)}${flag(pd)} | ${overFloor(r, pd)} | ${s(an?.median.seconds)}${flag(an)} | ${ratio} | ${pd?.median.roundTripsPerHost ?? '–'} | ${s(pd?.median.cpuSeconds)} / ${s(an?.median.cpuSeconds)} | ${mb(pd?.median.maxRssMb)} / ${mb(an?.median.maxRssMb)} | ${mb(pd?.median.treePssPeakMb)} / ${mb(an?.median.treePssPeakMb)} | ${loadOf(pd)} | ${s(native?.median.seconds)}${flag(native)} |`,
      );
    }
  }
  return rows.join('\n');
}

export function siteTable(r: BenchResults): string {
  const cells = r.fleet?.cells.filter((c) => c.suite === 'site') ?? [];
  const rows = [
    '| Switches | Scenario | SSH floor (s) | portsync-deploy (s) | pd ÷ floor | Round trips / host | CPU s | Max RSS (MB) | Load |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of [...cells].sort((a, b) => a.hosts - b.hosts)) {
    rows.push(
      `| ${c.hosts} | ${SCENARIO_NAMES[c.scenario]} | ${floorSeconds(r, c.hosts)} | ${s(c.median.seconds)}${flag(c)} | ${overFloor(r, c)} | ${c.median.roundTripsPerHost ?? '–'} | ${s(c.median.cpuSeconds)} | ${mb(c.median.maxRssMb)} | ${loadOf(c)} |`,
    );
  }
  return rows.join('\n');
}

/** Where portsync-deploy's time went, per phase (milliseconds, median of the runs): each phase
 *  from the previous phase's last end to its own last end (hosts overlap); report in all. */
export function phaseTable(r: BenchResults): string {
  const cells = (r.fleet?.cells ?? []).filter((c) => c.tool !== 'ansible' && c.median.phases);
  if (!cells.length) return '_No phase timings in this run._';
  const rows = [
    `| Playbook | Switches | Scenario | Wall (s) | ${PHASES.join(' | ')} |`,
    `|---|---:|---|---:|${PHASES.map(() => '---:').join('|')}|`,
  ];
  const order = (c: Cell) =>
    `${c.suite}/${c.tool}/${String(c.hosts).padStart(6, '0')}/${['cold', 'nochange', 'check'].indexOf(c.scenario)}`;
  for (const c of [...cells].sort((a, b) => order(a).localeCompare(order(b)))) {
    const ph = c.median.phases!;
    rows.push(
      `| ${c.suite}${c.tool === 'portsync-deploy-native' ? ' (native)' : ''} | ${c.hosts} | ${SCENARIO_NAMES[c.scenario]} | ${s(c.median.seconds)} | ${PHASES.map((p) => (ph[p] === undefined ? '–' : `${ph[p]}`)).join(' | ')} |`,
    );
  }
  return rows.join('\n');
}

/** The CPU a run cost on both sides, beside the floor's. On a lab whose switches share the
 *  control machine's cores, (control + switches) ÷ cores is a wall time no run can beat: when it
 *  is above 1.5× the floor, the switches' work, not waiting, sets the ratio. The switches' CPU
 *  alone ÷ cores is the part no control-side change can remove. The machine's idle core-seconds
 *  (near 0: CPU-bound) and its other CPU (the benchmark, uncharged kernel work, other processes)
 *  say how far a run's wall time was its own. */
export function cpuTable(r: BenchResults): string {
  const cells = (r.fleet?.cells ?? []).filter((c) => c.tool !== 'ansible' && c.median.labCpuSeconds !== undefined);
  if (!cells.length) return '_No switch CPU figures in this run._';
  const cores = r.machine.cpus;
  const rows = [
    `| Playbook | Switches | Scenario | Wall (s) | pd ÷ floor | Control CPU (s) | Switches' CPU (s) | Floor: wall / control CPU / switches' CPU (s) | CPU ÷ floor's CPU | CPU ÷ ${cores} cores ÷ floor wall | Switches' CPU ÷ ${cores} cores ÷ floor wall | Idle core-s (run / floor) | Other CPU (s) |`,
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of [...cells].sort((a, b) => `${a.suite}${a.tool}`.localeCompare(`${b.suite}${b.tool}`) || a.hosts - b.hosts)) {
    const floor = r.fleet?.floor?.find((f) => f.hosts === c.hosts);
    const cpu = c.median.cpuSeconds + c.median.labCpuSeconds!;
    const floorCpu =
      floor?.controlCpuSeconds === undefined || floor.labCpuSeconds === undefined
        ? undefined
        : floor.controlCpuSeconds + floor.labCpuSeconds;
    const perFloorWall = (seconds: number) => (floor ? seconds / cores / floor.median : undefined);
    rows.push(
      `| ${c.suite}${c.tool === 'portsync-deploy-native' ? ' (native)' : ''} | ${c.hosts} | ${SCENARIO_NAMES[c.scenario]} | ${s(c.median.seconds)} | ${overFloor(r, c)} | ${s(c.median.cpuSeconds)} | ${s(c.median.labCpuSeconds)} | ${s(floor?.median)} / ${s(floor?.controlCpuSeconds)} / ${s(floor?.labCpuSeconds)} | ${times(floorCpu && cpu / floorCpu)} | ${times(perFloorWall(cpu))} | ${times(perFloorWall(c.median.labCpuSeconds!))} | ${s(c.median.idleCoreSeconds)} / ${s(floor?.idleCoreSeconds)} | ${s(c.median.otherCpuSeconds)} |`,
    );
  }
  return rows.join('\n');
}

/** Load average (1 min) before each run of a cell: min–max. */
export function loadOf(c: Cell | undefined): string {
  if (!c?.runs.length) return '–';
  const l = c.runs.map((r) => r.loadavg1);
  return `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}`;
}

export function daemonSection(r: BenchResults): string {
  const d = r.daemon;
  if (!d) return '_The daemon benchmark was not run._';
  const out: string[] = [];
  const sum = d.summary;
  if (sum) {
    const subject = sum.subject ? `; ${sum.subject}` : '';
    out.push(`From \`${sum.file.replace(/^.*\/bench\//, 'bench/')}\` (${sum.when ?? 'time unknown'}${subject}).`, '');
    out.push(
      '| Run | Kernel events/s | Processing P50 (µs) | P99 (µs) | P99.9 (µs) | CPU % of a core | Context switches/s | Drops |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const p of sum.points) {
      out.push(
        `| ${p.label} | ${p.eventsPerS} | ${p.p50Us ?? '–'} | ${p.p99Us ?? '–'} | ${p.p999Us ?? '–'} | ${p.cpuPercent ?? '–'} | ${p.contextSwitchesPerS ?? '–'} | ${p.drops ?? '–'} |`,
      );
    }
    out.push('');
    const facts: string[] = [];
    if (sum.maxAbsorbedPerS) facts.push(`highest live rate absorbed: ${sum.maxAbsorbedPerS} events/s`);
    if (sum.maxDrainedPerS) facts.push(`backlog drained at up to ${sum.maxDrainedPerS} events/s`);
    if (sum.e2eUs?.p50 !== undefined) facts.push(`single-event latency to Redis: P50 ${sum.e2eUs.p50} µs, P99 ${sum.e2eUs.p99} µs`);
    if (sum.soak)
      facts.push(`soak ${sum.soak.seconds} s: RSS ${sum.soak.rssMb.first} → ${sum.soak.rssMb.last} MB (max ${sum.soak.rssMb.max})`);
    if (facts.length) out.push(...facts.map((f) => `- ${f}`), '');
  }
  out.push(...d.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export function summaryMarkdown(r: BenchResults, charts: { fleet: string; daemon: string; rss?: string }): string {
  const la = (x: number[]) => x.map((v) => v.toFixed(2)).join(' / ');
  const lines = [
    `# Benchmark ${r.name} (${r.mode})`,
    '',
    `${r.startedAt} → ${r.finishedAt}. ${r.machine.cpus} CPUs, ${Math.round(r.machine.memTotalMb / 1024)} GB, kernel ${r.machine.kernel}, Node ${r.machine.node}, ${r.machine.ansible}.`,
    `Load average (1/5/15 min) at start ${la(r.loadavg.start)}, at end ${la(r.loadavg.end)}; each run's own is in the JSON. The machine is shared: compare the two tools within this run, not with other runs.`,
    '',
    `## Fleet: the same tuning with both tools (median of ${r.settings.runs} run${r.settings.runs > 1 ? 's' : ''})`,
    '',
    fleetTable(r),
    '',
    `![time vs switches](${charts.fleet})`,
    '',
    '## playbooks/site.yaml with portsync-deploy',
    '',
    r.settings.siteSizes.length ? siteTable(r) : '_Not run in this mode._',
    '',
    '## Where the time goes (portsync-deploy, -vv timings, ms)',
    '',
    phaseTable(r),
    '',
    "## CPU on both sides (the control machine's and the lab switches')",
    '',
    cpuTable(r),
    '',
    '## portsyncd',
    '',
    daemonSection(r),
    '',
    `![latency vs rate](${charts.daemon})`,
    ...(charts.rss ? ['', `![RSS over the soak](${charts.rss})`] : []),
    '',
    '## Commands',
    '',
    ...Object.entries(r.commands).map(([k, v]) => `- ${k}: \`${v}\``),
  ];
  if (r.fleet) {
    const resets = r.fleet.resetSeconds;
    const avg = resets.length ? resets.reduce((a, b) => a + b, 0) / resets.length : 0;
    lines.push(
      '',
      `Lab set-up (untimed): ${Object.entries(r.fleet.labUpSeconds)
        .map(([n, t]) => `${n} switches in ${t} s`)
        .join(', ')}; resets between runs ${avg.toFixed(1)} s on average.`,
    );
    for (const sk of r.fleet.skippedSizes) lines.push(`Skipped ${sk.size} switches: ${sk.reason}.`);
  }
  if (r.interrupted) lines.push('', `**Interrupted** by ${r.interrupted}.`);
  if (r.errors.length) lines.push('', '## Errors', '', ...r.errors.map((e) => `- ${e}`));
  return lines.join('\n') + '\n';
}
