// Ansible's YAML inventory format into the builder: groups holding `hosts`, `vars` and
// `children`, nested to any depth, read in the order written.
import type { SourcePos } from '../module.js';
import type { Vars } from '../playbook/types.js';
import { ownPosOf, posOf } from '../source-map.js';
import { ajvProblems, compileSchema } from '../validate/ajv.js';
import { inventorySchema } from '../validate/inventory-schema.js';
import { isMapping } from '../vars/merge.js';
import type { InventoryBuilder } from './builder.js';

/** Adds a parsed YAML inventory document (already known to be a mapping) from `file`. */
export function addYamlInventory(b: InventoryBuilder, doc: Vars, file: string): void {
  const validate = compileSchema(inventorySchema);
  if (!validate(doc)) {
    b.problems.push(
      ...ajvProblems(validate.errors, { roots: [doc], basePath: '' }).map((p) => (p.pos ? p : { ...p, pos: { file, line: 1, col: 1 } })),
    );
    return;
  }
  b.group('all', ownPosOf(doc));
  for (const [name, node] of Object.entries(doc)) walk(b, name, node as Vars | null, posOf(doc, name), []);
}

function walk(b: InventoryBuilder, name: string, node: Vars | null, pos: SourcePos | undefined, chain: string[]): void {
  b.group(name, pos);
  if (!node) return;
  for (const [key, section] of Object.entries(node)) {
    if (!isMapping(section)) continue;
    if (key === 'vars') b.setGroupVars(name, section, pos);
    else if (key === 'hosts') {
      for (const [pattern, hostVars] of Object.entries(section))
        b.addHosts(name, pattern, hostVars as Vars | null, posOf(section, pattern), `hosts.${pattern}`);
    } else if (key === 'children') {
      for (const [child, childNode] of Object.entries(section)) {
        const childPos = posOf(section, child);
        if (chain.includes(child) || child === name) {
          b.problems.push({
            message: `group "${child}" is its own descendant (${[...chain, name, child].join(' → ')})`,
            pos: childPos,
            hint: 'remove one of the children entries that close the loop',
          });
          continue;
        }
        walk(b, child, childNode as Vars | null, childPos, [...chain, name]);
        b.addChild(name, child, childPos);
      }
    }
  }
}
