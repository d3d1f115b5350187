// A small line chart as standalone SVG: axes with round ticks, one polyline plus point markers
// per series, a legend. Enough for "time vs hosts" and "latency vs rate"; no dependency.
export interface Series {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Log scale on y, for series that differ by orders of magnitude. */
  logY?: boolean;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Math.abs(v) >= 1000 ? `${+(v / 1000).toPrecision(3)}k` : `${+v.toPrecision(3)}`);

/** About `count` round tick values covering [lo, hi] (1, 2, 5 times a power of ten apart). */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step / 2; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/** Powers of ten (and 2, 5 times them when the range is short), from the last one at or below
 *  lo to the first one at or above hi. */
export function logTicks(lo: number, hi: number): number[] {
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  const mult = to - from <= 2 ? [1, 2, 5] : [1];
  const all: number[] = [];
  for (let e = from; e <= to; e++) for (const m of mult) all.push(+(m * 10 ** e).toPrecision(12));
  const first = all.filter((t) => t <= lo).length - 1;
  const last = all.findIndex((t) => t >= hi);
  return all.slice(Math.max(0, first), last < 0 ? all.length : last + 1);
}

export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 720;
  const H = spec.height ?? 420;
  const m = { left: 70, right: 190, top: 40, bottom: 55 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const pts = spec.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`,
  ];
  if (!pts.length) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`, '</svg>');
    return out.join('\n') + '\n';
  }
  const xs = linearTicks(0, Math.max(...pts.map((p) => p[0])));
  const ysRaw = pts.map((p) => p[1]);
  const ys = spec.logY ? logTicks(Math.min(...ysRaw), Math.max(...ysRaw)) : linearTicks(0, Math.max(...ysRaw));
  const [x0, x1] = [xs[0], xs.at(-1)!];
  const [y0, y1] = [ys[0], ys.at(-1)!];
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = spec.logY
    ? (y: number) => m.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph
    : (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const r = (v: number) => v.toFixed(1);

  for (const t of ys) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${r(sy(t))}" y2="${r(sy(t))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${r(sy(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xs) {
    out.push(`<line x1="${r(sx(t))}" x2="${r(sx(t))}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${r(sx(t))}" y="${m.top + ph + 19}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}${spec.logY ? ' (log scale)' : ''}</text>`,
  );

  spec.series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0)).sort((a, b) => a[0] - b[0]);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (p.length > 1)
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${p.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(' ')}"/>`,
      );
    for (const [x, y] of p)
      out.push(
        `<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="3.5" fill="${s.color}"><title>${esc(s.name)}: ${fmt(x)}, ${fmt(y)}</title></circle>`,
      );
    const ly = m.top + 10 + i * 20;
    const lx = m.left + pw + 15;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
