// Ansible host ranges: "leaf[01:20].dc1" → leaf01.dc1 … leaf20.dc1; "[a:c]" letters; "[1:9:2]" stride.

/** More hosts than any fleet has: a typo such as [1:999999999] is refused before it costs memory. */
export const MAX_RANGE_HOSTS = 100_000;

/** Expanded host names, or a message saying why the range is invalid. */
export function expandHostRange(pattern: string, budget = MAX_RANGE_HOSTS): string[] | string {
  const m = /^(.*?)\[([^\]]+)\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, head, range, tail] = m;
  const parts = range.split(':');
  if (parts.length < 2 || parts.length > 3) return `host range [${range}] must be [start:end] or [start:end:step]`;
  const [start, end, stepText] = parts;
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) return `host range step "${stepText}" must be a positive integer`;
  let items: string[];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.length > 1 && start.startsWith('0') ? start.length : 0;
    const a = Number(start);
    const b = Number(end);
    if (a > b) return `host range [${range}] starts after it ends`;
    if ((b - a) / step + 1 > budget) return tooMany(range);
    items = [];
    for (let i = a; i <= b; i += step) items.push(String(i).padStart(width, '0'));
  } else if (/^[a-z]$/.test(start) && /^[a-z]$/.test(end)) {
    const a = start.charCodeAt(0);
    const b = end.charCodeAt(0);
    if (a > b) return `host range [${range}] starts after it ends`;
    items = [];
    for (let i = a; i <= b; i += step) items.push(String.fromCharCode(i));
  } else {
    return `host range [${range}] must be numbers ([01:20]) or single lower-case letters ([a:f])`;
  }
  const out: string[] = [];
  for (const item of items) {
    const rest = expandHostRange(head + item + tail, Math.floor(budget / items.length));
    if (typeof rest === 'string') return rest;
    out.push(...rest);
  }
  return out;
}

function tooMany(range: string): string {
  return `host range [${range}] makes more than ${MAX_RANGE_HOSTS} hosts`;
}
