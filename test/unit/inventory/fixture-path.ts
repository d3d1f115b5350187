// Fixtures live in the source tree (test/fixtures), next to the compiled tests' source.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** dist/test/unit/<area>/x.js → <repo>/test/fixtures/... */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const fixture = (...parts: string[]) => join(repoRoot, 'test', 'fixtures', ...parts);
