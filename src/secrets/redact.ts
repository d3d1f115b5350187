// Secrets are tracked by value: every string that came out of a vault, and every value of a
// `no_log` task, is registered here, and every output sink passes what it prints through
// `redactValue`/`redactText` first. A value stays a plain string inside the engine (templates,
// modules and hosts need it whole); only what leaves for a person or a store is masked.

/** What a secret is replaced with, in every output. */
export const SECRET_MARKER = '********';
/** Shorter values are masked only where a whole string equals them: masking every "on" or
 *  "10" inside other text would hide the output, not the secret. */
const MIN_SUBSTRING = 4;

export class Redactor {
  private readonly substrings = new Set<string>();
  private readonly whole = new Set<string>();
  private pattern: RegExp | undefined;
  /** The same alternatives without the global flag, for `test` (which keeps no state then). */
  private probe: RegExp | undefined;

  /** Tracks a secret value, each line of a multi-line one (a diff shows lines), and the forms
   *  output quotes it in: inside a shell single-quoted word, and inside a JSON string. */
  add(value: string): void {
    const lines = [value, ...value.split(/\r?\n/).map((l) => l.trim())];
    const parts = lines.flatMap((l) => [l, l.replace(/'/g, "'\\''"), JSON.stringify(l).slice(1, -1)]);
    for (const p of parts) {
      if (p.length >= MIN_SUBSTRING) {
        if (!this.substrings.has(p)) this.pattern = this.probe = undefined;
        this.substrings.add(p);
      } else if (p === value && p.length) this.whole.add(p);
    }
  }

  /** Tracks every string and number leaf of a value (a no_log task's args). */
  addAll(value: unknown): void {
    if (typeof value === 'string') this.add(value);
    else if (typeof value === 'number' || typeof value === 'bigint') this.add(String(value));
    else if (Array.isArray(value)) value.forEach((v) => this.addAll(v));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => this.addAll(v));
  }

  get empty(): boolean {
    return this.substrings.size === 0 && this.whole.size === 0;
  }

  /** True when `text` holds a tracked secret. */
  contains(text: string): boolean {
    return this.redactText(text) !== text;
  }

  redactText(text: string): string {
    if (this.empty) return text;
    if (this.whole.has(text)) return SECRET_MARKER;
    if (!this.substrings.size) return text;
    // Longest first, so a secret that contains another is masked whole.
    this.pattern ??= new RegExp(this.alternatives(), 'g');
    return text.replace(this.pattern, SECRET_MARKER);
  }

  /** A copy of `value` with every string (keys included) redacted; the original is untouched.
   *  A value none of whose strings holds a secret (most events) is returned as it is, uncopied. */
  redactValue<T>(value: T): T {
    if (this.empty || !this.holdsSecret(value)) return value;
    return this.walk(value) as T;
  }

  private alternatives(): string {
    return [...this.substrings]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|');
  }

  private holdsSecret(v: unknown): boolean {
    if (typeof v === 'string') {
      if (this.whole.has(v)) return true;
      if (!this.substrings.size) return false;
      this.probe ??= new RegExp(this.alternatives());
      return this.probe.test(v);
    }
    if (Array.isArray(v)) return v.some((x) => this.holdsSecret(x));
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (this.holdsSecret(k) || this.holdsSecret(x)) return true;
    }
    return false;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.redactText(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.redactText(k), this.walk(x)]));
    }
    return v;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The run's secrets: filled by the vault loader and by `no_log` tasks as they are planned. */
export const secrets = new Redactor();
