// `.j2` template files rendered as Ansible's template module renders them: Jinja2 with Python's
// printing of values, trailing newlines of the source kept. Errors name file:line:column.
import { ValidationError } from '../errors.js';
import { pyStr } from './expr-values.js';
import { undefinedHint } from './expr-template.js';
import { renderNodes } from './jinja-render.js';
import { JinjaError, lineCol, parseJinja } from './jinja-text.js';
import { MAX_TEMPLATE_BYTES, readTemplateSource } from './template-source.js';

function trailingNewlines(s: string): number {
  return /\n*$/.exec(s)![0].length;
}

/** The file at `path` rendered over `vars`, read at each call. */
export function renderJinjaFile(path: string, vars: Record<string, unknown>): string {
  return renderJinjaSource(path, readJinjaSource(path), vars);
}

/** The file's text, or a ValidationError naming it. */
export function readJinjaSource(path: string): string {
  try {
    return readTemplateSource(path);
  } catch (e) {
    throw new ValidationError([
      {
        message: `template ${path}: ${(e as Error).message}`,
        hint: "templates are looked up in the playbook's templates/ folder, then the project's templates/",
      },
    ]);
  }
}

/** `source`, the text of the file at `path`, rendered over `vars`. */
export function renderJinjaSource(path: string, source: string, vars: Record<string, unknown>): string {
  try {
    let out = renderNodes(parseJinja(source), vars, { depth: 0, print: pyStr, maxChars: MAX_TEMPLATE_BYTES });
    const missing = trailingNewlines(source) - trailingNewlines(out);
    if (missing > 0) out += '\n'.repeat(missing);
    return out;
  } catch (e) {
    if (!(e instanceof JinjaError)) throw e;
    const { line, col } = lineCol(source, e.offset);
    const undef = /undefined variable/.test(e.message);
    throw new ValidationError([
      {
        message: `${e.message} in template ${path}`,
        pos: { file: path, line, col },
        hint: undef ? undefinedHint(e.message) : 'check the Jinja syntax at this position',
      },
    ]);
  }
}
