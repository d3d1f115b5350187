// Host lists written the way inventories write them: runs of numbered names become Ansible host
// ranges (`dc1-leaf-[01:16]`, `leaf-[3:957:18]`), so expandHostRange() reads every entry back.

/** Runs shorter than this stay as names: `leaf-1, leaf-2` reads better than `leaf-[1:2]`. */
const MIN_RUN = 3;

interface Numbered {
  name: string;
  head: string;
  tail: string;
  /** Zero-padded width, or 0 for plain numbers. */
  width: number;
  n: number;
}

/** The names as ranges and single names, in the order their name families first appear. */
export function compressHosts(names: readonly string[]): string[] {
  const parsed = [...new Set(names)].map((name) => {
    const m = /^(.*?)(\d+)(\D*)$/.exec(name);
    // Names with '[' would read back as a range themselves, and huge numbers lose digits: kept whole.
    return !m || name.includes('[') || m[2]!.length > 15 ? name : { name, head: m[1]!, digits: m[2]!, tail: m[3]! };
  });
  // `leaf10` belongs with `leaf01`..`leaf09` when those are there: all are width 2.
  const padded = new Set(
    parsed.flatMap((p) => (typeof p === 'string' || !padWidth(p.digits) ? [] : [`${p.head}\0${p.tail}\0${p.digits.length}`])),
  );
  const families = new Map<string, Numbered[]>();
  const order: (string | Numbered[])[] = [];
  for (const p of parsed) {
    if (typeof p === 'string') {
      order.push(p);
      continue;
    }
    const { name, head, digits, tail } = p;
    const width = padded.has(`${head}\0${tail}\0${digits.length}`) ? digits.length : 0;
    const key = `${head}\0${tail}\0${width}`;
    let family = families.get(key);
    if (!family) {
      family = [];
      families.set(key, family);
      order.push(family);
    }
    family.push({ name, head, tail, width, n: Number(digits) });
  }
  return order.flatMap((f) => (typeof f === 'string' ? [f] : runs(f)));
}

/** Zero-padded numbers keep their width; plain ones (width 0) can grow (`[8:12]`). */
function padWidth(digits: string): number {
  return digits.length > 1 && digits.startsWith('0') ? digits.length : 0;
}

function runs(family: Numbered[]): string[] {
  const xs = [...family].sort((a, b) => a.n - b.n);
  const width = xs[0]!.width;
  const out: string[] = [];
  let i = 0;
  while (i < xs.length) {
    const step = i + 1 < xs.length ? xs[i + 1]!.n - xs[i]!.n : 0;
    let j = i + 1;
    if (step > 0) while (j < xs.length && xs[j]!.n - xs[j - 1]!.n === step) j++;
    if (step > 0 && j - i >= MIN_RUN) {
      const a = xs[i]!;
      const b = xs[j - 1]!;
      const fmt = (n: number) => String(n).padStart(width, '0');
      out.push(`${a.head}[${fmt(a.n)}:${fmt(b.n)}${step > 1 ? `:${step}` : ''}]${a.tail}`);
      i = j;
    } else {
      out.push(xs[i]!.name);
      i++;
    }
  }
  return out;
}

/** `dc1-spine-[01:04], dc1-leaf-[01:16]`. */
export function hostListText(names: readonly string[]): string {
  return compressHosts(names).join(', ');
}
