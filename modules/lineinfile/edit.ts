// The text edit of lineinfile, as Ansible's module does it: the last line matching `regexp` is
// replaced; else, when no line equals `line`, it is inserted (after/before the last match of
// insertafter/insertbefore, at EOF by default). `absent` removes every matching line.
import type { LineInFileArgs } from './schema.js';

function lastIndex(lines: string[], re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i])) return i;
  return -1;
}

export function editLines(content: string, args: LineInFileArgs): string {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const re = args.regexp !== undefined ? new RegExp(args.regexp) : undefined;
  if (args.state === 'absent') {
    const kept = lines.filter((l) => !(re ? re.test(l) : l === args.line));
    return kept.length === lines.length ? content : kept.map((l) => `${l}\n`).join('');
  }
  const line = args.line!;
  const hit = re ? lastIndex(lines, re) : -1;
  if (hit >= 0) {
    if (lines[hit] === line) return content;
    lines[hit] = line;
  } else if (lines.includes(line)) {
    return content;
  } else if (args.insertbefore !== undefined) {
    const at = args.insertbefore === 'BOF' ? 0 : lastIndex(lines, new RegExp(args.insertbefore));
    lines.splice(at >= 0 ? at : lines.length, 0, line);
  } else if (args.insertafter !== undefined && args.insertafter !== 'EOF') {
    const at = lastIndex(lines, new RegExp(args.insertafter));
    lines.splice(at >= 0 ? at + 1 : lines.length, 0, line);
  } else {
    lines.push(line);
  }
  return lines.map((l) => `${l}\n`).join('');
}
