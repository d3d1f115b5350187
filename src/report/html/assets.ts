// The libraries the report carries inline (no network, no external file): Chart.js for the
// latency histogram and memory chart, diff2html's stylesheet for the diffs it renders.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A package's file (by its main entry's folder: the packages export no subpaths), without its
 *  source-map comment, which would point outside the report. */
function bundled(pkg: string, fromMain: string): string {
  return readFileSync(join(dirname(require.resolve(pkg)), fromMain), 'utf8').replace(/\/[/*]# sourceMappingURL=\S+(\s*\*\/)?\s*$/, '');
}

export interface InlineAssets {
  chartJs: string;
  diffCss: string;
}

let cached: InlineAssets | undefined;

export function inlineAssets(): InlineAssets {
  cached ??= { chartJs: bundled('chart.js', 'chart.umd.min.js'), diffCss: bundled('diff2html', '../bundles/css/diff2html.min.css') };
  return cached;
}
