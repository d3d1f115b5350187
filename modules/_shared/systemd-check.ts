// Unknown sections and directives in a unit file, caught before the file reaches a switch:
// systemd itself only logs a warning and ignores them, so a typo silently changes nothing.
import { closest } from './suggest.js';
import { installDirectives, serviceDirectives, unitDirectives } from './systemd-directives.js';
import type { UnitSections } from './systemd-ini.js';

const checkedSections: Record<string, ReadonlySet<string>> = {
  Unit: new Set(unitDirectives),
  Service: new Set(serviceDirectives),
  Install: new Set(installDirectives),
};
/** Sections of other unit types: accepted, their directives not checked. */
const otherSections = ['Socket', 'Timer', 'Path', 'Mount', 'Automount', 'Swap', 'Slice', 'Scope'];

export interface DirectiveProblem {
  section: string;
  /** Absent when the section name itself is unknown. */
  key?: string;
  message: string;
  hint?: string;
}

function isExtension(name: string): boolean {
  return name.startsWith('X-');
}

export function checkSection(section: string): DirectiveProblem | null {
  if (section in checkedSections || otherSections.includes(section) || isExtension(section)) return null;
  const near = closest(section, [...Object.keys(checkedSections), ...otherSections]);
  return {
    section,
    message: `unknown unit file section [${section}]`,
    hint: near ? `did you mean [${near}]?` : 'sections are [Unit], [Service], [Install] (or X-* for extensions)',
  };
}

export function checkDirective(section: string, key: string): DirectiveProblem | null {
  const known = checkedSections[section];
  if (!known || known.has(key) || isExtension(key)) return null;
  const near = closest(key, known);
  return {
    section,
    key,
    message: `unknown directive ${key}= in [${section}]; systemd would ignore it`,
    hint: near
      ? `did you mean ${near}=?`
      : `see systemd.${section === 'Service' ? 'service' : 'unit'}(5) for the directives of [${section}]`,
  };
}

/** Every unknown section and directive of a `sections` map. */
export function checkSections(sections: UnitSections): DirectiveProblem[] {
  const problems: DirectiveProblem[] = [];
  for (const [section, entries] of Object.entries(sections)) {
    const sectionProblem = checkSection(section);
    if (sectionProblem) {
      problems.push(sectionProblem);
      continue;
    }
    for (const key of Object.keys(entries)) {
      const p = checkDirective(section, key);
      if (p) problems.push(p);
    }
  }
  return problems;
}
