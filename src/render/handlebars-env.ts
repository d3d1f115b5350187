// One Handlebars environment per templates folder: config-file helpers, partials from
// templates/partials/, strict lookups and no HTML escaping (the output is config, not HTML).
import Handlebars from 'handlebars';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readTemplateSource } from './template-source.js';

type HelperOptions = Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } };

/** A helper got an undefined argument: strict mode in Handlebars does not cover helper params. */
export class UndefinedArgument extends Error {
  constructor(
    readonly helper: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(`undefined value passed to "${helper}"`);
  }
}

function args(helper: string, params: unknown[]): { values: unknown[]; options: HelperOptions } {
  const options = params.at(-1) as HelperOptions;
  const values = params.slice(0, -1);
  if (values.some((v) => v === undefined)) throw new UndefinedArgument(helper, options.loc?.start.line, options.loc?.start.column);
  return { values, options };
}

/** Helpers whose every argument must be defined (`default` and `if`/`unless` accept undefined). */
const STRICT_HELPERS: Record<string, (...values: unknown[]) => unknown> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  gt: (a, b) => (a as number) > (b as number),
  and: (...v) => v.every(Boolean),
  or: (...v) => v.some(Boolean),
  not: (v) => !v,
  join: (list, sep) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ' ') : String(list)),
  json: (v) => JSON.stringify(v),
  upper: (v) => String(v).toUpperCase(),
  lower: (v) => String(v).toLowerCase(),
};

/** An error raised inside a partial carries the partial's file, to which its line:column refer. */
export type PartialError = Error & { partial?: { path: string; source: string } };

export function createEnv(templatesDir: string): typeof Handlebars {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(STRICT_HELPERS)) {
    hb.registerHelper(name, (...params: unknown[]) => fn(...args(name, params).values));
  }
  hb.registerHelper('default', (...params: unknown[]) => {
    const values = params.slice(0, -1);
    return values.find((v) => v !== undefined && v !== null && v !== '') ?? '';
  });
  // Built-in block helpers that iterate or scope must not silently skip a missing variable.
  for (const name of ['each', 'with'] as const) {
    const builtin = hb.helpers[name];
    hb.registerHelper(name, function (this: unknown, ...params: unknown[]) {
      args(name, params);
      return (builtin as (...a: unknown[]) => unknown).apply(this, params);
    });
  }
  const partialsDir = join(templatesDir, 'partials');
  if (existsSync(partialsDir)) {
    for (const file of readdirSync(partialsDir, { recursive: true }) as string[]) {
      if (!file.endsWith('.hbs')) continue;
      const path = join(partialsDir, file);
      const source = readTemplateSource(path);
      const run = hb.compile(source, { strict: true, noEscape: true });
      hb.registerPartial(relative(partialsDir, path).replace(/\.hbs$/, ''), (context: unknown, options?: Handlebars.RuntimeOptions) => {
        try {
          return run(context, options);
        } catch (e) {
          // Error positions are relative to the innermost partial: remember which one.
          const err = e as PartialError;
          err.partial ??= { path, source };
          throw err;
        }
      });
    }
  }
  return hb;
}
