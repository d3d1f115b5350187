// The sysctl.d file format as systemd-sysctl and procps read it: `key = value`, `#`/`;` comments,
// an optional leading `-` (ignore failures), and `/` as separator when the key starts that way.

export interface ConfEntry {
  key: string;
  value: string;
  /** 1-based line number. */
  line: number;
}

function dottedKey(key: string): string {
  const firstSep = key.search(/[./]/);
  if (firstSep < 0 || key[firstSep] === '.') return key;
  return key.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

export function parseSysctlConf(text: string): ConfEntry[] {
  const entries: ConfEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq).trim().replace(/^-/, '');
    entries.push({ key: dottedKey(key), value: line.slice(eq + 1).trim(), line: i + 1 });
  });
  return entries;
}

/** Whether a (possibly globbed, systemd 246+) file key applies to `key`. */
export function keyMatches(pattern: string, key: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === key;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(key);
}
