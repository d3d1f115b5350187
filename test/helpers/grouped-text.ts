// Reads grouped text output back into per-host results, to prove the grouping loses nothing.
import { expandHostRange } from '../../src/inventory/host-ranges.js';

export interface ReadBack {
  play: string;
  task: string;
  handler: boolean;
  host: string;
  status: string;
  msg?: string;
  outlier: boolean;
  warnings: string[];
  changes: { summary: string; diff?: string }[];
}

const GROUP = /^(ok|changed|failed|skipped|unreachable): (.+?) \((\d+) hosts?(, outlier)?\)(?: \((.*)\))?$/;

export function expandList(list: string): string[] {
  return list.split(', ').flatMap((entry) => {
    const names = expandHostRange(entry);
    if (typeof names === 'string') throw new Error(`${entry}: ${names}`);
    return names;
  });
}

/** Every host's results from the grouped plan text, plus the recap rows per host. */
export function readGrouped(text: string): { results: ReadBack[]; recap: Map<string, Record<string, number>> } {
  const results: ReadBack[] = [];
  const recap = new Map<string, Record<string, number>>();
  let play = '';
  let task = '';
  let handler = false;
  let group: (Omit<ReadBack, 'host'> & { hosts: string[] }) | undefined;
  let inRecap = false;
  const close = () => {
    if (!group) return;
    const { hosts, ...rest } = group;
    for (const host of hosts) results.push({ ...rest, host });
    group = undefined;
  };
  for (const l of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^PLAY \[(.*)\]/.exec(l))) {
      close();
      play = m[1]!;
    } else if ((m = /^(TASK|HANDLER) \[(.*)\]$/.exec(l))) {
      close();
      task = m[2]!;
      handler = m[1] === 'HANDLER';
    } else if (/^PLAY RECAP/.test(l)) {
      close();
      inRecap = true;
    } else if (inRecap && (m = /^((?:\w+=\d+ +)+): (.+) \((\d+) hosts?\)$/.exec(l))) {
      const counts = Object.fromEntries(
        m[1]!
          .trim()
          .split(/ +/)
          .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]),
      );
      const hosts = expandList(m[2]!);
      if (hosts.length !== Number(m[3])) throw new Error(`recap row names ${hosts.length} hosts, says ${m[3]}: ${l}`);
      for (const h of hosts) recap.set(h, counts);
    } else if ((m = GROUP.exec(l))) {
      close();
      const hosts = expandList(m[2]!);
      if (hosts.length !== Number(m[3])) throw new Error(`group names ${hosts.length} hosts, says ${m[3]}: ${l}`);
      group = {
        play,
        task,
        handler,
        status: m[1]!,
        hosts,
        outlier: !!m[4],
        warnings: [],
        changes: [],
        ...(m[5] !== undefined ? { msg: m[5] } : {}),
      };
    } else if (group && l.startsWith('  [WARNING] ')) {
      group.warnings.push(l.slice(12));
    } else if (group && l.startsWith('    ')) {
      const c = group.changes.at(-1)!;
      c.diff = (c.diff ?? '') + l.slice(4) + '\n';
    } else if (group && l.startsWith('  ')) {
      group.changes.push({ summary: l.slice(2) });
    } else if (l.trim() !== '') {
      close();
    }
  }
  close();
  return { results, recap };
}
