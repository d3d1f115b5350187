// Shared pieces for module table tests: the engine's strict renderer over the real templates/
// folder, and ajv configured as the engine configures it (strict schemas, defaults, every error).
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { JSONSchema } from '../../../src/module.js';
import { renderTemplateFile } from '../../../src/render/template.js';

// dist/test/unit/modules/ -> repository root
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const templatesDir = `${repoRoot}templates/`;

export function renderTemplate(name: string, vars: Record<string, unknown> = {}): string {
  return renderTemplateFile(templatesDir, name, vars);
}

/** Validate args like the engine: returns the args with defaults filled, or the ajv errors. */
export function validateArgs<T>(schema: JSONSchema, args: unknown): { ok: true; args: T } | { ok: false; errors: string[] } {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  const validate = ajv.compile(schema);
  const copy = structuredClone(args);
  if (validate(copy)) return { ok: true, args: copy as T };
  return { ok: false, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}

/** Args with schema defaults filled; throws on invalid args so a table row cannot silently test nothing. */
export function withDefaults<T>(schema: JSONSchema, args: unknown): T {
  const r = validateArgs<T>(schema, args);
  if (!r.ok) throw new Error(`invalid args in test: ${r.errors.join('; ')}`);
  return r.args;
}
