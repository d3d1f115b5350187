// Unified diffs in the shape reviewers know from git: `--- a/path` / `+++ b/path`, /dev/null for a
// file that is created or removed.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { memoByString } from '../../src/memo.js';

/** Diff of a file's content; `before`/`after` null mean the file is absent. '' when nothing differs. */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  const rel = path.replace(/^\/+/, '');
  const oldName = before === null ? '/dev/null' : `a/${rel}`;
  const newName = after === null ? '/dev/null' : `b/${rel}`;
  const newHeader = before === null ? '(new file)' : after === null ? '(deleted)' : undefined;
  // A created or removed file is one hunk of every line: no diff algorithm needed, and a fleet
  // plan creates thousands of them.
  if (before === null && after) return `--- ${oldName}\n+++ ${newName}\t${newHeader}\n${created(after)}`;
  if (after === null && before) return `--- ${oldName}\n+++ ${newName}\t${newHeader}\n${wholeHunk('-', before)}`;
  return createTwoFilesPatch(oldName, newName, before ?? '', after ?? '', undefined, newHeader, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

const created = memoByString((text) => wholeHunk('+', text));

function wholeHunk(sign: '+' | '-', text: string): string {
  const lines = text.split('\n');
  const noEol = lines.at(-1) !== '';
  if (!noEol) lines.pop();
  const range = sign === '+' ? `-0,0 +1,${lines.length}` : `-1,${lines.length} +0,0`;
  const body = lines.map((l) => sign + l).join('\n');
  return `@@ ${range} @@\n${body}\n${noEol ? '\\ No newline at end of file\n' : ''}`;
}
