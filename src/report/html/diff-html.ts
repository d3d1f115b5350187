// A change's unified diff as HTML in both views, rendered here by diff2html (the page toggles
// which one shows). Text that is not a file diff (live `before -> after` values) stays preformatted.
import { html as diff2html, parse } from 'diff2html';
import { escapeHtml } from './escape.js';

export function diffHtml(diff: string): string {
  // The header's tab note ("\t(new file)") is for terminals; diff2html would read it as a rename.
  const files = parse(diff.replace(/^((?:---|\+\+\+) [^\t\n]*)\t[^\n]*$/gm, '$1'), { matching: 'lines' });
  // Without git's "new file mode" line diff2html tags a file created from /dev/null "RENAMED".
  for (const f of files) {
    if (f.oldName === '/dev/null') f.isNew = true;
    if (f.newName === '/dev/null') f.isDeleted = true;
  }
  if (!files.length || files.every((f) => !f.blocks.length)) return `<pre class="plain-diff">${escapeHtml(diff)}</pre>`;
  const view = (outputFormat: 'line-by-line' | 'side-by-side') =>
    diff2html(files, { outputFormat, drawFileList: false, matching: 'lines' });
  return `<div class="diff-unified">${view('line-by-line')}</div><div class="diff-split">${view('side-by-side')}</div>`;
}
