// Template files (templates/*.hbs) rendered with Handlebars in strict mode: an undefined variable
// is an error naming the template, its line and column, and the variable.
import type Handlebars from 'handlebars';
import { join, resolve } from 'node:path';
import { TemplateError, ValidationError, type Problem } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import { UndefinedArgument, createEnv, type PartialError } from './handlebars-env.js';
import { readJinjaSource, renderJinjaSource } from './jinja-file.js';
import { jinjaFileKey, jinjaFileRead } from './jinja-file-read.js';
import { noteControlRead } from './name-reads.js';
import { findFile, searchFolders, searchPath } from './search-path.js';
import { isMissing, noSuchFile } from '../read-regular.js';
import { lazyVars } from './lazy-vars.js';
import { ReadMemo } from './read-memo.js';
import { topOf } from './layered-view.js';
import { MAX_TEMPLATE_BYTES, readTemplateSource } from './template-source.js';

export { renderArgs } from './args.js';

/** A `.j2` file is looked up as Ansible does: the role's templates/ folder, then the role's
 *  folder, the same in the playbook's folder; then the project's templates folder. It is read at
 *  each render and noted as a read that can be made again (jinja-file-read.ts), so a plan's memo
 *  shares the render between hosts only while the search finds the same file with the same text. */
function renderJinjaTemplate(templatesDir: string, name: string, vars: Vars): string {
  const candidates = [...searchPath(vars, 'templates', name), join(resolve(templatesDir), name)];
  const found = findFile(candidates);
  if (!found) {
    const folders = [...searchFolders(vars, 'templates', name), resolve(templatesDir)];
    throw new ValidationError([{ message: noSuchFile(name, [...new Set(folders)]), hint: MISSING_HINT }]);
  }
  const source = readJinjaSource(found);
  noteControlRead(jinjaFileRead(candidates), jinjaFileKey(found, source));
  return renderJinjaSource(found, source, vars);
}

const MISSING_HINT = 'create the template in one of those folders, or fix the name in src';

interface Compiled {
  path: string;
  source: string;
  run: Handlebars.TemplateDelegate;
  /** Outputs by the values each render read: hosts that read the same values share one. */
  memo: ReadMemo;
}

const envs = new Map<string, typeof Handlebars>();
const compiled = new Map<string, Compiled>();

export function renderTemplateFile(templatesDir: string, name: string, vars: Vars): string {
  if (name.endsWith('.j2')) return renderJinjaTemplate(templatesDir, name, vars);
  const t = compile(resolve(templatesDir), name);
  let out: string;
  try {
    out = t.memo.render(lazyVars(vars), (view) => t.run(view), topOf(vars));
  } catch (e) {
    if (e instanceof TemplateError) throw new ValidationError([{ message: `${e.message} (template ${t.path})`, hint: e.hint }]);
    throw new ValidationError([describeFailure(e as Error, t)]);
  }
  if (out.length > MAX_TEMPLATE_BYTES)
    throw new ValidationError([
      {
        message: `template ${t.path}: output of ${out.length} characters is over the limit of ${MAX_TEMPLATE_BYTES}`,
        pos: { file: t.path, line: 1, col: 1 },
        hint: 'a loop in the template runs over more data than a config file should hold',
      },
    ]);
  return out;
}

/** Handlebars compiles a template to code at its first render; `_setup`, the part of every render
 *  before the template's code runs, makes it do so now, with the options a render gives. */
type LazyTemplate = Handlebars.TemplateDelegate & { _setup(options: object): void };

/** Compiles a template before any render asks for it, so that the render finds it ready. A
 *  template that cannot be compiled is left as it is: its render reports the problem, at the task
 *  and host that render it, exactly as without this. */
export function compileAhead(templatesDir: string, name: string): void {
  try {
    (compile(resolve(templatesDir), name).run as LazyTemplate)._setup({});
  } catch {
    // Reported by the render, if a task renders this template.
  }
}

function compile(dir: string, name: string): Compiled {
  const path = join(dir, name);
  const known = compiled.get(path);
  if (known) return known;
  let source: string;
  try {
    source = readTemplateSource(path);
  } catch (e) {
    throw new ValidationError([
      isMissing(e)
        ? {
            message: noSuchFile(name, [dir]),
            hint: `${MISSING_HINT}; names are relative to templates/, e.g. "sysctl/50-portsyncd.conf.hbs"`,
          }
        : { message: `template ${path}: ${(e as Error).message}` },
    ]);
  }
  let env = envs.get(dir);
  if (!env) envs.set(dir, (env = createEnv(dir)));
  const hb = env;
  let run: Handlebars.TemplateDelegate;
  try {
    // Parse now so syntax errors surface here with the template's name; run compiles lazily.
    hb.parse(source);
    run = hb.compile(source, { strict: true, noEscape: true });
  } catch (e) {
    const m = /line (\d+)/.exec((e as Error).message);
    throw new ValidationError([
      { message: `template syntax error: ${(e as Error).message.split('\n')[0]}`, pos: { file: path, line: m ? Number(m[1]) : 1, col: 1 } },
    ]);
  }
  const c = { path, source, run, memo: new ReadMemo() };
  compiled.set(path, c);
  return c;
}

function describeFailure(e: Error, template: Compiled): Problem {
  const ex = e as Error & { lineNumber?: number; column?: number };
  const inPartial = (e as PartialError).partial;
  const t = inPartial ?? template;
  const partOf = inPartial ? ` (included by ${template.path})` : '';
  if (e instanceof UndefinedArgument) {
    const expr = exprAt(t.source, e.line, e.column);
    return {
      message: `undefined variable in ${expr ?? `"${e.helper}" helper`} of template ${t.path}${partOf}`,
      pos: { file: t.path, line: e.line ?? 1, col: (e.column ?? 0) + 1 },
      hint: 'define the variable for this host, or wrap the block in {{#if name}}…{{/if}}',
    };
  }
  const undef = /^"([^"]+)" not defined in/.exec(e.message);
  if (undef && ex.lineNumber !== undefined) {
    const expr = exprAt(t.source, ex.lineNumber, ex.column);
    return {
      message: `undefined variable "${undef[1]}"${expr ? ` in ${expr}` : ''} of template ${t.path}${partOf}`,
      pos: { file: t.path, line: ex.lineNumber, col: (ex.column ?? 0) + 1 },
      hint: 'define it in group_vars, host_vars, the play\'s vars or with -e; optional values can use {{default name "fallback"}} or {{#if name}}',
    };
  }
  const partial = /The partial (\S+) could not be found/.exec(e.message);
  if (partial) {
    return {
      message: `partial "${partial[1]}" not found (template ${t.path})`,
      pos: { file: t.path, line: 1, col: 1 },
      hint: 'partials live in templates/partials/NAME.hbs',
    };
  }
  return { message: `template ${t.path}: ${e.message}`, pos: { file: t.path, line: ex.lineNumber ?? 1, col: (ex.column ?? 0) + 1 } };
}

/** The mustache around line:column (0-based column), to show the user what failed. */
function exprAt(source: string, line: number | undefined, column: number | undefined): string | undefined {
  if (line === undefined || column === undefined) return undefined;
  const text = source.split('\n')[line - 1] ?? '';
  const open = text.lastIndexOf('{{', column);
  const close = text.indexOf('}}', column);
  return open >= 0 && close >= 0 ? text.slice(open, close + 2) : undefined;
}
