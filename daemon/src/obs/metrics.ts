// A small Prometheus text-format registry: counters, gauges and histograms
// with fixed label sets. Values are read at scrape time where possible.
type Labels = Record<string, string>;

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(out: string[]): void;
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const parts = Object.entries(labels ?? {}).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Counter implements Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, { labels?: Labels; value: number }>();
  /** `known`: label sets exported at 0 from the start. A series that first appears at 1 has no
   *  increase for Prometheus, so an alert on increase() would miss the first event. */
  constructor(
    readonly name: string,
    readonly help: string,
    known: Labels[] = [],
  ) {
    for (const labels of known) this.values.set(labelText(labels), { labels, value: 0 });
  }
  inc(by = 1, labels?: Labels): void {
    const key = labelText(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels?: Labels): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  render(out: string[]): void {
    if (this.values.size === 0) out.push(`${this.name} 0`);
    for (const v of this.values.values()) out.push(`${this.name}${labelText(v.labels)} ${v.value}`);
  }
}

/** A gauge or counter whose samples are computed when scraped. */
export class Sampled implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly sample: () => Array<[Labels | undefined, number]>,
  ) {}
  render(out: string[]): void {
    for (const [labels, value] of this.sample()) out.push(`${this.name}${labelText(labels)} ${value}`);
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram';
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[],
  ) {
    this.counts = new Array(bounds.length).fill(0);
  }
  observe(value: number, times = 1): void {
    let lo = 0; // first bound >= value, by bisection
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value > this.bounds[mid]!) lo = mid + 1;
      else hi = mid;
    }
    const i = lo;
    if (i < this.counts.length) this.counts[i]! += times;
    this.sum += value * times;
    this.count += times;
  }
  get total(): number {
    return this.count;
  }
  render(out: string[]): void {
    let cumulative = 0;
    this.bounds.forEach((b, i) => {
      cumulative += this.counts[i]!;
      out.push(`${this.name}_bucket${labelText(undefined, ['le', String(b)])} ${cumulative}`);
    });
    out.push(`${this.name}_bucket{le="+Inf"} ${this.count}`);
    out.push(`${this.name}_sum ${this.sum}`);
    out.push(`${this.name}_count ${this.count}`);
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      m.render(out);
    }
    return out.join('\n') + '\n';
  }
}
