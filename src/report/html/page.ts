// The report page: one self-contained HTML file (styles, data, Chart.js and the page's own script
// inline; nothing fetched). Sections: summary, timeline, changes grouped across hosts with
// unified/side-by-side diffs, per-switch results and health, rollbacks, verify, problems.
import { formatProblem } from '../../errors.js';
import type { HostHealth } from '../../exec/probe-host.js';
import type { ProbeResult } from '../../module.js';
import { groupResults } from '../group.js';
import { hostListText } from '../host-list.js';
import { inlineAssets } from './assets.js';
import { diffHtml } from './diff-html.js';
import { escapeHtml as h, inlineJson } from './escape.js';
import { buildModel, type ReportModel } from './model.js';
import type { TimedEvent } from './collect.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js';
import { timelineSvg } from './timeline.js';

export type HealthInput = HostHealth[];

export interface ReportInput {
  /** What ran, e.g. "plan playbooks/site.yaml -i inventories/lab" (no -e values: they may hold secrets). */
  command: string;
  started: number;
  finished: number;
  exitCode: number;
  events: readonly TimedEvent[];
  /** The `health` command's table, when that is what ran. */
  health?: HealthInput;
}

const EXIT_MEANING: Record<number, string> = {
  0: 'success, or no changes',
  1: 'a host failed (or is unhealthy)',
  2: 'changes pending (verify: drift)',
  3: 'invalid input; nothing touched',
  4: 'a host unreachable',
  130: 'interrupted (SIGINT)',
  143: 'interrupted (SIGTERM)',
};

export function renderReport(input: ReportInput): string {
  const m = buildModel(input.events, input.finished, input.health);
  const assets = inlineAssets();
  const charts = chartData(m);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>portsync-deploy: ${h(input.command)}</title>
<style>${assets.diffCss}</style><style>${PAGE_STYLE}</style>
</head><body data-diff-view="unified">
<header><h1>portsync-deploy report</h1>${summary(input, m)}</header>
<nav><a href="#timeline">Timeline</a><a href="#changes">Changes</a><a href="#hosts">Switches</a><a href="#health">Health</a><a href="#rollbacks">Rollbacks</a>${m.verify.length ? '<a href="#verify">Verify</a>' : ''}</nav>
<main>
<section id="timeline"><h2>Timeline of plays and batches</h2>${timelineSvg(m.plays, input.started, input.finished)}</section>
<section id="changes"><h2>Changes, grouped across switches</h2>
<div class="view-toggle" role="group" aria-label="diff view"><button type="button" data-view="unified" aria-pressed="true">Unified</button><button type="button" data-view="split" aria-pressed="false">Side by side</button></div>
${changes(m)}</section>
<section id="hosts"><h2>Per switch</h2>${hostTable(m)}</section>
<section id="health"><h2>Daemon health</h2>${healthSection(m, charts)}</section>
<section id="rollbacks"><h2>Rollbacks and halts</h2>${rollbacks(m)}</section>
${m.verify.length ? `<section id="verify"><h2>Verify: desired, live and persisted</h2>${verifyTable(m)}</section>` : ''}
${m.problems.length ? `<section id="problems"><h2>Problems</h2><ul>${m.problems.map((p) => `<li><pre>${h(formatProblem(p))}</pre></li>`).join('')}</ul></section>` : ''}
</main>
<script type="application/json" id="report-data">${inlineJson(charts)}</script>
<script>${assets.chartJs}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

function summary(input: ReportInput, m: ReportModel): string {
  const hosts = m.recap ? Object.entries(m.recap) : [...m.health.keys()].map((host) => [host, undefined] as const);
  const count = (k: 'changed' | 'failed' | 'unreachable') => (m.recap ? Object.values(m.recap).filter((r) => r[k] > 0).length : 0);
  const unhealthy = [...m.health.values()].filter((v) => v.error || v.checks.some((c) => !c.ok)).length;
  const rows: [string, string][] = [
    ['Command', `<code>portsync-deploy ${h(input.command)}</code>`],
    ['Started', h(new Date(input.started).toISOString())],
    ['Duration', `${((input.finished - input.started) / 1000).toFixed(1)} s`],
    [
      'Exit code',
      `<span class="exit exit-${input.exitCode}" id="exit-code">${input.exitCode}</span> ${h(EXIT_MEANING[input.exitCode] ?? '')}`,
    ],
    ['Switches', `<span id="host-count">${hosts.length}</span>`],
  ];
  if (m.recap)
    rows.push([
      'Outcome',
      `<span class="changed">${count('changed')} changed</span>, <span class="failed">${count('failed')} failed</span>, <span class="failed">${count('unreachable')} unreachable</span>`,
    ]);
  if (m.health.size)
    rows.push(['Health', `${m.health.size - unhealthy} healthy, <span class="${unhealthy ? 'failed' : ''}">${unhealthy} unhealthy</span>`]);
  if (m.rollbacks.length || m.halts.length)
    rows.push([
      'Rollbacks',
      `<span class="failed">${m.rollbacks.filter((r) => r.task === 'rollback').length} switches rolled back, ${m.halts.length} halt${m.halts.length === 1 ? '' : 's'}</span>`,
    ]);
  if (m.interrupted) rows.push(['Interrupted', h(m.interrupted)]);
  return `<table class="summary">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function changes(m: ReportModel): string {
  const plays = m.plays.filter((p) => p.results.length);
  if (!plays.length) return '<p class="none">No task results.</p>';
  return plays
    .map((p) => {
      const tasks = groupResults(p.results.filter((r) => !r.probes));
      return `<h3>Play: ${h(p.name)}${p.check ? ' <span class="tag">check</span>' : ''}</h3>${tasks
        .map(
          (t) =>
            `<div class="task"><h4>${t.handler ? 'Handler' : 'Task'}: ${h(t.task)} <span class="dim">(${t.hosts} result${t.hosts === 1 ? '' : 's'})</span></h4>${t.groups
              .map(
                (g) =>
                  `<div class="group status-${g.status}${g.outlier ? ' outlier' : ''}"><div class="group-head"><span class="badge ${g.status}">${g.status}</span> <span class="hosts">${h(hostListText(g.hosts))}</span> <span class="dim">(${g.hosts.length} switch${g.hosts.length === 1 ? '' : 'es'})</span>${g.outlier ? ' <span class="badge outlier-badge">outlier</span>' : ''}${g.msg ? ` <span class="msg">${h(g.msg)}</span>` : ''}</div>${(g.warnings ?? []).map((w) => `<div class="warning">warning: ${h(w)}</div>`).join('')}${g.changes
                    .map(
                      (c) => `<div class="change"><div class="summary-line">${h(c.summary)}</div>${c.diff ? diffHtml(c.diff) : ''}</div>`,
                    )
                    .join('')}</div>`,
              )
              .join('')}</div>`,
        )
        .join('')}`;
    })
    .join('');
}

const checkOf = (checks: ProbeResult[] | undefined, name: string) => checks?.find((c) => c.check === name);

function hostTable(m: ReportModel): string {
  const names = [...new Set([...Object.keys(m.recap ?? {}), ...m.health.keys()])];
  if (!names.length) return '<p class="none">No switches.</p>';
  const rows = names.map((host) => {
    const r = m.recap?.[host];
    const hv = m.health.get(host);
    const bad = hv?.checks.filter((c) => !c.ok) ?? [];
    const healthCell = !hv
      ? ''
      : hv.error
        ? `<span class="failed">${h(hv.error)}</span>`
        : bad.length
          ? `<span class="failed">${bad.map((c) => h(`${c.check}: ${c.value}`)).join('<br>')}</span>`
          : `<span class="ok">${hv.checks.length} checks pass</span>`;
    const cls = r && (r.failed || r.unreachable) ? 'row-failed' : bad.length || hv?.error ? 'row-failed' : '';
    return `<tr class="${cls}" data-host="${h(host)}"><td>${h(host)}</td>${
      r
        ? (['ok', 'changed', 'failed', 'unreachable', 'skipped'] as const)
            .map((k) => `<td class="num ${r[k] ? k : ''}">${r[k]}</td>`)
            .join('') + `<td class="num">${r.round_trips}</td>`
        : '<td colspan="6"></td>'
    }<td>${h(checkOf(hv?.checks, 'event latency p99')?.value ?? '')}</td><td>${h(checkOf(hv?.checks, 'RSS')?.value ?? '')}</td><td>${healthCell}</td></tr>`;
  });
  return `<table class="hosts"><thead><tr><th>Switch</th><th>ok</th><th>changed</th><th>failed</th><th>unreachable</th><th>skipped</th><th>round trips</th><th>latency p99</th><th>RSS</th><th>health</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export interface ChartData {
  latency: { label: string; count: number }[];
  rss: { host: string; mb: number }[];
}

/** The fleet's latency histogram (every switch's buckets summed) and each switch's RSS. */
function chartData(m: ReportModel): ChartData {
  const buckets = new Map<number, number>();
  const rss: ChartData['rss'] = [];
  for (const [host, v] of m.health) {
    for (const b of checkOf(v.checks, 'event latency p99')?.figure?.buckets ?? []) buckets.set(b.le, (buckets.get(b.le) ?? 0) + b.count);
    const bytes = checkOf(v.checks, 'RSS')?.figure?.value;
    if (bytes !== undefined) rss.push({ host, mb: +(bytes / 1048576).toFixed(1) });
  }
  const label = (le: number) =>
    le === Infinity ? '> last' : le < 1e-3 ? `<= ${+(le * 1e6).toPrecision(3)} µs` : `<= ${+(le * 1e3).toPrecision(3)} ms`;
  return { latency: [...buckets].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ label: label(le), count })), rss };
}

function healthSection(m: ReportModel, charts: ChartData): string {
  if (!m.health.size) return '<p class="none">No health checks ran.</p>';
  return `<div class="charts"><figure><figcaption>Event latency, every switch (events per bucket)</figcaption><canvas id="latency-chart" width="560" height="280"></canvas>${charts.latency.length ? '' : '<p class="none">No latency histogram.</p>'}</figure>
<figure><figcaption>Resident memory per switch (MB)</figcaption><canvas id="rss-chart" width="560" height="280"></canvas>${charts.rss.length ? '' : '<p class="none">No RSS figures.</p>'}</figure></div>`;
}

function rollbacks(m: ReportModel): string {
  if (!m.rollbacks.length && !m.halts.length) return '<p class="none">No rollback, no halt.</p>';
  return `${m.halts.map((r) => `<div class="halt">${h(r)}</div>`).join('')}<table class="rollbacks"><thead><tr><th>Switch</th><th>Step</th><th>Status</th><th>Detail</th></tr></thead><tbody>${m.rollbacks
    .map((r) => `<tr><td>${h(r.host)}</td><td>${h(r.task)}</td><td class="${r.status}">${r.status}</td><td>${h(r.msg ?? '')}</td></tr>`)
    .join('')}</tbody></table>`;
}

function verifyTable(m: ReportModel): string {
  const rows = m.verify.flatMap((v) =>
    v.settings.map(
      (s) =>
        `<tr class="${s.ok ? '' : 'row-failed'}"><td>${h(v.host)}</td><td>${h(v.task)}</td><td>${h(s.setting)}</td><td>${h(String(s.desired))}</td><td>${s.live === undefined ? '' : h(String(s.live ?? '(absent)'))}</td><td>${s.persisted === undefined ? '' : h(String(s.persisted ?? '(absent)'))}</td><td class="${s.ok ? 'ok' : 'failed'}">${s.ok ? 'ok' : 'drift'}</td></tr>`,
    ),
  );
  return `<table class="verify"><thead><tr><th>Switch</th><th>Task</th><th>Setting</th><th>Desired</th><th>Live</th><th>Persisted</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
