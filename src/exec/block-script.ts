// block / rescue / always in the apply script: shell flags per block, mirroring src/plan/block-flow.ts.
// B<id>=1: a task of the block part failed; R<id>=1 / A<id>=1: its rescue / always part failed.
// The host's own F stays 0 while a block handles the failure.
import type { BlockPlace } from '../playbook/types.js';

const flag = (p: BlockPlace) => `${p.part === 'block' ? 'B' : p.part === 'rescue' ? 'R' : 'A'}${p.id}`;
const is = (name: string, v: 0 | 1) => `[ "\${${name}:-0}" = ${v} ]`;

/** The condition for a step in this chain to run: every part it sits in is active. */
export function blockGuard(chain: BlockPlace[]): string | undefined {
  const conds = chain.map((p) =>
    p.part === 'block' ? is(`B${p.id}`, 0) : p.part === 'rescue' ? `${is(`B${p.id}`, 1)} && ${is(`R${p.id}`, 0)}` : is(`A${p.id}`, 0),
  );
  return conds.length ? conds.join(' && ') : undefined;
}

/** What a failure in this chain sets: the innermost part's flag, or the host's F. */
export function failFlag(chain: BlockPlace[]): string {
  const inner = chain[chain.length - 1];
  return inner ? `${flag(inner)}=1` : 'F=1';
}

/** Shell that closes the blocks `prev` is in and `next` is not: an unhandled failure moves outwards. */
export function closeBlocks(prev: BlockPlace[], next: BlockPlace[]): string | undefined {
  let keep = 0;
  while (keep < prev.length && keep < next.length && prev[keep]!.id === next[keep]!.id) keep++;
  const lines: string[] = [];
  for (let d = prev.length - 1; d >= keep; d--) {
    const p = prev[d]!;
    const unhandled = [...(p.rescued ? [] : [is(`B${p.id}`, 1)]), is(`R${p.id}`, 1), is(`A${p.id}`, 1)].join(' || ');
    lines.push(`if ${unhandled}; then ${failFlag(prev.slice(0, d))}; fi`);
  }
  return lines.length ? lines.join('\n') : undefined;
}
