// CPU and NUMA node lists as the kernel and systemd write them ("0-3,6"), and the hex cpumasks that
// /sys/class/net/*/queues/rx-*/rps_cpus uses ("4f", or "ff,ffffffff" past 32 CPUs).

/** JSON Schema for a list like "0-3,6". */
export const cpuListSchema = {
  type: 'string',
  pattern: '^\\s*\\d+(-\\d+)?(\\s*,\\s*\\d+(-\\d+)?)*\\s*$',
  description: 'CPU (or NUMA node) list as the kernel writes it, e.g. "0-3,6"',
} as const;

/** Sorted, de-duplicated numbers of a list like "0-3,6". Throws on malformed input or a reversed range. */
export function parseCpuList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const out = new Set<number>();
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`not a CPU list: "${text}" (expected e.g. "0-3,6")`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new Error(`reversed range "${part.trim()}" in CPU list "${text}"`);
    for (let n = first; n <= last; n++) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/** The shortest list form: consecutive runs become ranges ([0,1,2,3,6] -> "0-3,6"). */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Hex cpumask in the kernel's format: 32-bit groups, most significant first, leading zeros dropped. */
export function cpuListToMask(cpus: readonly number[]): string {
  let bits = 0n;
  for (const cpu of cpus) bits |= 1n << BigInt(cpu);
  const hex = bits.toString(16);
  const groups: string[] = [];
  for (let end = hex.length; end > 0; end -= 8) groups.unshift(hex.slice(Math.max(0, end - 8), end));
  return groups.map((g, i) => (i === 0 ? g : g.padStart(8, '0'))).join(',');
}

/** CPUs set in a kernel hex cpumask ("00000000,0000000f" -> [0,1,2,3]). Throws on non-hex input. */
export function maskToCpuList(mask: string): number[] {
  const hex = mask.trim().replace(/,/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new Error(`not a hex cpumask: "${mask}"`);
  let bits = BigInt('0x' + hex);
  const cpus: number[] = [];
  for (let cpu = 0; bits > 0n; cpu++, bits >>= 1n) if (bits & 1n) cpus.push(cpu);
  return cpus;
}

/** The members of `wanted` missing from `available`, as a list string ("" when all are there). */
export function missingFrom(wanted: readonly number[], available: readonly number[]): string {
  const have = new Set(available);
  return formatCpuList(wanted.filter((n) => !have.has(n)));
}
