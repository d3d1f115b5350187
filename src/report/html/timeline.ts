// The timeline as inline SVG: a row per play (planning and batches on one time axis), batches
// that failed or were rolled back in red. Hover titles give the exact times and hosts.
import { hostListText } from '../host-list.js';
import { escapeHtml as h } from './escape.js';
import type { PlayView } from './model.js';

const WIDTH = 1000;
const LABEL = 220;
const ROW = 30;

export function timelineSvg(plays: readonly PlayView[], started: number, finished: number): string {
  if (!plays.length) return '<p class="none">No play ran.</p>';
  const span = Math.max(1, finished - started);
  const x = (t: number) => LABEL + ((t - started) / span) * (WIDTH - LABEL - 10);
  const w = (a: number, b: number) => Math.max(2, x(b) - x(a));
  const secs = (t: number) => ((t - started) / 1000).toFixed(2);
  const rows = plays.map((p, i) => {
    const y = 20 + i * ROW;
    const batches = p.batches.map(
      (b) =>
        `<g class="batch${b.failed ? ' batch-failed' : ''}"><title>batch ${b.n}: ${h(hostListText(b.hosts))} (${secs(b.start)} s to ${secs(b.end)} s)</title><rect x="${x(b.start).toFixed(1)}" y="${y + 3}" width="${w(b.start, b.end).toFixed(1)}" height="${ROW - 12}" rx="2"/>` +
        `<text x="${(x(b.start) + 3).toFixed(1)}" y="${y + ROW / 2 + 1}">${b.n}</text></g>`,
    );
    return (
      `<g class="play" data-play="${h(p.name)}"><text class="play-label" x="4" y="${y + ROW / 2 + 1}">${h(p.name.length > 30 ? p.name.slice(0, 29) + '…' : p.name)}${p.check ? ' (check)' : ''}</text>` +
      `<rect class="play-span" x="${x(p.start).toFixed(1)}" y="${y}" width="${w(p.start, p.end).toFixed(1)}" height="${ROW - 6}" rx="3"><title>${h(p.name)}: ${p.hosts} switches, ${secs(p.start)} s to ${secs(p.end)} s</title></rect>${batches.join('')}</g>`
    );
  });
  const height = 20 + plays.length * ROW + 20;
  const ticks = Array.from({ length: 6 }, (_, i) => started + (span * i) / 5).map(
    (t) =>
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="14" y2="${height - 18}" class="tick"/><text x="${x(t).toFixed(1)}" y="${height - 4}" class="tick-label">${secs(t)} s</text>`,
  );
  return `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="timeline">${ticks.join('')}${rows.join('')}</svg>`;
}
