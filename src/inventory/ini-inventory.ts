// Ansible's INI inventory format into the builder:
//   host lines before any section belong to `ungrouped`; `[g]` lists hosts (ranges, host:port,
//   inline `k=v` vars, shell-style quoting, # comments); `[g:vars]` holds `k = v` lines;
//   `[g:children]` names child groups, which may be declared later in the file.
// Values are read as Python literals, as Ansible does (src/inventory/python-literal.ts).
import type { SourcePos } from '../module.js';
import type { Vars } from '../playbook/types.js';
import { recordPos } from '../source-map.js';
import type { InventoryBuilder } from './builder.js';
import { pythonLiteral } from './python-literal.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  pos: SourcePos;
  kind: 'vars' | 'children';
  parents: string[];
}

export function addIniInventory(b: InventoryBuilder, text: string, file: string): void {
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let kind = 'hosts';
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    const pos: SourcePos = { file, line: n + 1, col: lines[n].indexOf(line[0] ?? '') + 1 };
    const fail = (message: string, hint: string) => b.problems.push({ message, pos, hint });
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const section = SECTION.exec(line);
    if (section) {
      group = section[1];
      kind = section[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(kind)) {
        fail(`section [${group}:${kind}] has unknown type "${kind}"`, 'a section is [group], [group:vars] or [group:children]');
        kind = 'skip';
        continue;
      }
      // [g] or [g:children] declares a group; [g:vars] alone does not (checked at the end).
      if (!b.inv.groups.has(group)) {
        if (kind === 'vars' && !pending.has(group)) pending.set(group, { pos, kind, parents: [] });
        b.group(group, pos);
      }
      if (kind !== 'vars' && pending.has(group)) declare(b, group, pending);
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(`invalid section "${line}"`, 'a section header is [group], [group:vars] or [group:children], without spaces');
      continue;
    }
    if (kind === 'hosts') hostLine(b, group, line, pos);
    else if (kind === 'vars') varLine(b, group, line, pos);
    else if (kind === 'children') {
      const m = GROUP_NAME.exec(line);
      if (!m) {
        fail(`expected a group name, got "${line}"`, 'a [group:children] section lists one group name per line');
        continue;
      }
      const child = m[1];
      if (b.inv.groups.has(child)) b.addChild(group, child, pos);
      else pending.set(child, { pos, kind: 'children', parents: [...(pending.get(child)?.parents ?? []), group] });
    }
  }
  for (const [name, p] of pending) {
    if (p.kind === 'vars') {
      b.problems.push({
        message: `section [${name}:vars] is for a group this inventory never declares`,
        pos: p.pos,
        hint: `declare the group with a [${name}] or [${name}:children] section, or with a [parent:children] entry`,
      });
    } else {
      b.problems.push({
        message: `[${p.parents[p.parents.length - 1]}:children] names group "${name}", which this inventory never declares`,
        pos: p.pos,
        hint: `add a [${name}] section (it may be empty)`,
      });
    }
  }
}

/** A group named by [p:children] before its own section: now declared, it joins its parents. */
function declare(b: InventoryBuilder, group: string, pending: Map<string, Pending>): void {
  const p = pending.get(group)!;
  pending.delete(group);
  if (p.kind !== 'children') return;
  for (const parent of p.parents) {
    b.addChild(parent, group, p.pos);
    if (pending.get(parent)?.kind === 'children') declare(b, parent, pending);
  }
}

function hostLine(b: InventoryBuilder, group: string, line: string, pos: SourcePos): void {
  const tokens = shellWords(line);
  if (typeof tokens === 'string') {
    b.problems.push({ message: `cannot read host line: ${tokens}`, pos, hint: 'close the quote; values with spaces are written k="a b"' });
    return;
  }
  if (!tokens.length) return;
  const [pattern, ...assignments] = tokens;
  if (pattern.endsWith(':')) {
    b.problems.push({
      message: `host "${pattern}" ends in ":"`,
      pos,
      hint: 'a ":" after a host name introduces its port, e.g. leaf01:2222',
    });
    return;
  }
  const vars: Vars = {};
  for (const t of assignments) {
    const eq = t.indexOf('=');
    if (eq < 1) {
      b.problems.push({
        message: `expected key=value after the host name, got "${t}"`,
        pos,
        hint: 'host variables are written name=value; quote values with spaces: k="a b"',
      });
      return;
    }
    const key = t.slice(0, eq);
    vars[key] = pythonLiteral(t.slice(eq + 1));
    recordPos(vars, key, pos);
  }
  b.addHosts(group, pattern, vars, pos);
}

function varLine(b: InventoryBuilder, group: string, line: string, pos: SourcePos): void {
  const eq = line.indexOf('=');
  if (eq < 0) {
    b.problems.push({
      message: `expected key=value, got "${line}"`,
      pos,
      hint: `a [${group}:vars] section holds one "name = value" per line`,
    });
    return;
  }
  const key = line.slice(0, eq).trim();
  const vars: Vars = { [key]: pythonLiteral(line.slice(eq + 1).trim()) };
  recordPos(vars, key, pos);
  b.setGroupVars(group, vars, pos);
}

/**
 * A host line split as Python's shlex.split(line, comments=True) does: whitespace separates words,
 * quotes group and are removed, a backslash escapes outside single quotes, # starts a comment.
 * Returns a message for an unclosed quote.
 */
export function shellWords(line: string): string[] | string {
  const out: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else if (c === '#') break;
    else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else word = (word ?? '') + c;
  }
  if (quote) return `no closing ${quote}`;
  if (word !== undefined) out.push(word);
  return out;
}
