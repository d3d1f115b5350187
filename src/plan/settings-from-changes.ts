// `verify` for modules without `inspect`: the settings are read back from what the planner says
// it would change. Each "name: live -> desired" summary or attribute line is one setting; the
// lines a unified diff removes are the live side, the lines it adds the desired side.
import type { Change, SettingState } from '../module.js';

/** Longest value shown; the rest is counted, not printed. */
const MAX_SHOWN = 160;

/** "net.core.somaxconn: 4096 -> 8192", "/etc/x mode: 0644 -> 0600". */
const ARROW = /^(.*\S) (\S+) -> (.+)$/;

function arrowSetting(line: string): SettingState | undefined {
  const m = ARROW.exec(line);
  return m ? { setting: m[1]!.replace(/:$/, ''), desired: m[3]!, live: m[2]!, ok: false } : undefined;
}

function shown(lines: string[]): string {
  if (lines.length === 0) return '(none)';
  let out = '';
  let used = 0;
  for (const l of lines) {
    const next = out ? `${out} | ${l}` : l;
    if (next.length > MAX_SHOWN && out) break;
    out = next;
    used++;
  }
  return used < lines.length ? `${out} … (+${lines.length - used} lines)` : out;
}

/** The settings one pending change touches, live vs desired. */
export function settingsFromChange(c: Change): SettingState[] {
  if (!c.diff) return [arrowSetting(c.summary) ?? { setting: c.summary, desired: 'as planned', live: 'differs', ok: false }];

  const out: SettingState[] = [];
  const removed: string[] = [];
  const added: string[] = [];
  let file: string | undefined;
  for (const line of c.diff.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('+++ ') || line.startsWith('--- ')) {
      // git-style a/ and b/ prefixes on absolute paths
      const name = line
        .slice(4)
        .split('\t')[0]!
        .replace(/^[ab]\//, '/');
      if (name !== '/dev/null') file ??= name;
    } else if (line.startsWith('-')) removed.push(line.slice(1));
    else if (line.startsWith('+')) added.push(line.slice(1));
    else if (!line.startsWith('@@') && !line.startsWith(' ') && !line.startsWith('\\')) {
      const arrow = arrowSetting(line);
      if (arrow) out.push(arrow);
      else if (line.trim()) out.push({ setting: line, desired: 'as planned', live: 'differs', ok: false });
    }
  }
  if (removed.length || added.length) {
    const created = /^create /.test(c.summary) || /^--- \/dev\/null/m.test(c.diff);
    out.push({ setting: file ?? c.summary, desired: shown(added), live: created ? null : shown(removed), ok: false });
  }
  return out.length ? out : [{ setting: c.summary, desired: 'as planned', live: 'differs', ok: false }];
}

/** What a converged task declares, named by its target where the args have one. */
export function convergedSetting(module: string, args: Record<string, unknown>): SettingState {
  const target = ['dest', 'path', 'file', 'name'].map((k) => args[k]).find((v) => typeof v === 'string');
  return { setting: typeof target === 'string' ? `${module} ${target}` : module, desired: 'as declared', live: 'matches', ok: true };
}
