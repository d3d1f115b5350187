// Values of the expression language: the Undefined marker and Jinja-like truthiness and printing.

/** A variable that does not exist; carries the dotted name for the error message. */
export class Undefined {
  constructor(readonly name: string) {}
}

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** How a value prints inside a string: null as empty, lists and mappings as JSON. */
export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function kind(v: unknown): string {
  if (v === null) return 'none';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}
