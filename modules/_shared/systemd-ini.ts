// systemd unit files as data: a `sections` map rendered to ini text, and ini text read back into
// (section, key) entries so directives can be checked before anything reaches a switch.

export type UnitValue = string | number | boolean;
/** `{Service: {CPUAffinity: "0", Environment: ["A=1", "B=2"]}}`; a list repeats the key. */
export type UnitSections = Record<string, Record<string, UnitValue | UnitValue[]>>;

function iniValue(value: UnitValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Ini text for `sections`, in the map's order, after an optional comment header. */
export function renderUnitSections(sections: UnitSections, header: string[] = []): string {
  const lines = header.map((h) => `# ${h}`);
  for (const [section, entries] of Object.entries(sections)) {
    if (lines.length > 0) lines.push('');
    lines.push(`[${section}]`);
    for (const [key, value] of Object.entries(entries)) {
      for (const v of Array.isArray(value) ? value : [value]) lines.push(`${key}=${iniValue(v)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export interface IniEntry {
  section: string;
  key: string;
  value: string;
  /** 1-based line in the text. */
  line: number;
}

/** The directives of a unit file, in order. Comments, blank lines and continuation lines are skipped. */
export function parseUnitFile(text: string): { sections: { name: string; line: number }[]; entries: IniEntry[] } {
  const sections: { name: string; line: number }[] = [];
  const entries: IniEntry[] = [];
  let section = '';
  let continued = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const wasContinued = continued;
    continued = line.endsWith('\\');
    if (wasContinued || line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      sections.push({ name: section, line: i + 1 });
      return;
    }
    const eq = line.indexOf('=');
    if (eq > 0) entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: i + 1 });
  });
  return { sections, entries };
}
