// A throwaway modules/ folder with small test modules, loaded through the real registry.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModuleRegistry, type ModuleRegistry } from '../../../src/modules-registry.js';

const MODULES: Record<string, string> = {
  kv: `export default {
    name: 'kv',
    schema: {
      type: 'object',
      properties: {
        file: { type: 'string', default: '/etc/kv.conf' },
        settings: { type: 'object', additionalProperties: { type: ['string', 'number'], pattern: '^[^\\\\n=#]*$', 'x-hint': 'no newline, = or #' } },
        state: { enum: ['present', 'absent'], default: 'present' },
      },
      required: ['settings'],
      additionalProperties: false,
    },
    needs: () => [],
    diff: () => [],
    handlers: [{ key: 'kv reload', summary: 'reload kv', ops: [], order: 1 }],
  };`,
  pin: `export default {
    name: 'pin',
    schema: {
      type: 'object',
      properties: { state: { enum: ['present', 'absent'], default: 'present' }, cpus: true },
      if: { properties: { state: { const: 'present' } } },
      then: { required: ['cpus'], properties: { cpus: { type: 'string', pattern: '^[0-9,-]+$' } } },
      additionalProperties: false,
    },
    needs: () => [],
    diff: () => [],
  };`,
  note: `export default {
    name: 'note',
    schema: { type: 'object', properties: { text: { type: 'string' } }, additionalProperties: false },
    needs: () => [],
    diff: () => [],
  };`,
};

export async function tempRegistry(
  extra: Record<string, string> = {},
): Promise<{ registry: ModuleRegistry; dir: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'modules-'));
  for (const [name, src] of Object.entries({ ...MODULES, ...extra })) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'index.js'), src);
  }
  const cleanup = () => rmSync(dir, { recursive: true });
  try {
    return { registry: await loadModuleRegistry(dir), dir, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
