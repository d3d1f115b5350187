// Every op with a path carries where its folder led when the host was read (Op's `dirLeads`), so
// the apply refuses to write through a folder swapped for a symlink between the read and the apply.
import { dirname } from 'node:path';
import type { Op } from '../module.js';
import type { Facts } from '../facts/types.js';

export function withFolderLeads(op: Op, facts: Facts): Op {
  if (op.kind === 'exec') return op;
  const leads = facts.leads?.(dirname(op.path));
  return leads === undefined ? op : { ...op, dirLeads: leads };
}
