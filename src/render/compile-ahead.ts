// The Handlebars templates of a run's templates folders compiled while the run waits for its
// hosts' first answers: the first host's plan would otherwise compile every template it renders
// (and V8 the Handlebars compiler itself) while the other hosts' gathers wait for it.
import { readdirSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { compileAhead } from './template.js';

/** As many as a templates folder is read for when a play's fact sections are chosen. */
const MAX_TEMPLATES = 2000;

/** Compiles every `.hbs` file in each folder (partials are compiled with their folder's
 *  environment), one per turn of the event loop, so that logins and reads go on between. */
export async function compileTemplatesAhead(folders: Iterable<string>): Promise<void> {
  for (const dir of new Set([...folders].map((f) => resolve(f)))) {
    for (const name of templateNames(dir)) {
      await new Promise((next) => setImmediate(next));
      compileAhead(dir, name);
    }
  }
}

/** The `.hbs` files under `dir`, relative to it, partials left out; none when it cannot be read. */
function templateNames(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.hbs') && !n.startsWith(`partials${sep}`)).slice(0, MAX_TEMPLATES);
}
