// A `.j2` template file as a read of the control machine that can be made again: which file the
// search finds and what it holds. A plan's memo makes it again for each host, so an edit to the
// file (or a file appearing earlier on the search path) during a run reaches the hosts after it.
import { readTemplateSource } from './template-source.js';
import { findFile } from './search-path.js';
import type { ControlRead } from './name-reads.js';

/** The file found at `path` holding `source`, as a key: both parts length-prefixed. */
export function jinjaFileKey(path: string, source: string): string {
  return `${path.length}:${path}${source.length}:${source}`;
}

/** The search over `candidates` (in order, as findFile looks) made again. */
export function jinjaFileRead(candidates: string[]): ControlRead {
  return {
    id: `j2\0${JSON.stringify(candidates)}`,
    again: () => {
      const found = findFile(candidates);
      if (!found) return undefined;
      try {
        return jinjaFileKey(found, readTemplateSource(found));
      } catch {
        return undefined;
      }
    },
  };
}
