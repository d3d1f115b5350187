// Unified diffs in the shape reviewers know from git: `--- a/path` / `+++ b/path`, /dev/null for a
// file that is created or removed.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Diff of a file's content; `before`/`after` null mean the file is absent. '' when nothing differs. */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  const rel = path.replace(/^\/+/, '');
  const oldName = before === null ? '/dev/null' : `a/${rel}`;
  const newName = after === null ? '/dev/null' : `b/${rel}`;
  const newHeader = before === null ? '(new file)' : after === null ? '(deleted)' : undefined;
  return createTwoFilesPatch(oldName, newName, before ?? '', after ?? '', undefined, newHeader, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
