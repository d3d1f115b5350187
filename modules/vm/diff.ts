// The vm module's diff: the live values, the sysctl.d file, and swap turned off with the fstab
// lines that would bring it back.
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { fileChange } from '../_shared/file-change.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { liveWriteOp } from '../_tuning/live-write.js';
import { DAEMON_RELOAD } from '../_shared/handlers.js';
import { activeSwaps, commentOutSwap, fstabSwapLines } from './fstab.js';
import type { VmArgs } from './schema.js';

export const VM_SYSCTL_FILE = '/etc/sysctl.d/60-portsyncd-vm.conf';
export const FSTAB = '/etc/fstab';
export const FSTAB_BACKUP = '/etc/fstab.portsync-deploy.bak';
export const PROC_SWAPS = '/proc/swaps';

export function sysctls(args: VmArgs): { key: string; value: string; arg: keyof VmArgs }[] {
  const out: { key: string; value: string; arg: keyof VmArgs }[] = [];
  if (args.swappiness !== undefined) out.push({ key: 'vm.swappiness', value: String(args.swappiness), arg: 'swappiness' });
  if (args.overcommit_memory !== undefined) {
    out.push({ key: 'vm.overcommit_memory', value: String(args.overcommit_memory), arg: 'overcommit_memory' });
  }
  return out;
}

export function swapChanges(facts: Facts, offline: boolean, warn: (m: string) => void): Change[] {
  const changes: Change[] = [];
  const fstab = facts.file(FSTAB);
  const persistent = fstab === null ? [] : fstabSwapLines(fstab);
  if (!offline) {
    const active = activeSwaps(facts.file(PROC_SWAPS));
    if (active.length > 0) {
      changes.push({
        summary: `swap: on (${active.join(', ')}) -> off`,
        diff: `swap: ${active.join(', ')} -> off\n`,
        ops: [{ kind: 'exec', argv: ['swapoff', '-a'], live: true, strictStderr: true }],
      });
      const fromElsewhere = active.filter((dev) => !persistent.some((line) => line.trim().split(/\s+/)[0] === dev));
      if (fromElsewhere.length > 0) {
        warn(
          `swap on ${fromElsewhere.join(', ')} does not come from ${FSTAB} (zram or a swap unit?); it comes back at boot unless its service is disabled`,
        );
      }
    }
  }
  if (fstab !== null && persistent.length > 0) {
    const after = commentOutSwap(fstab);
    changes.push({
      summary: `${FSTAB}: comment out ${persistent.length} swap entr${persistent.length === 1 ? 'y' : 'ies'} (backup ${FSTAB_BACKUP})`,
      diff: unifiedDiff(FSTAB, fstab, after),
      ops: [
        { kind: 'put', path: FSTAB_BACKUP, content: fstab, mode: '0644', owner: 'root', group: 'root' },
        { kind: 'put', path: FSTAB, content: after, mode: facts.stat(FSTAB)?.mode ?? '0644', owner: 'root', group: 'root' },
      ],
      // systemd-fstab-generator turns fstab swap lines into .swap units.
      notify: [DAEMON_RELOAD],
    });
  }
  return changes;
}

export function vmDiff(facts: Facts, args: VmArgs, ctx: PlanContext): Change[] {
  const changes: Change[] = [];
  const wanted = sysctls(args);
  for (const s of wanted) {
    if (ctx.offline) continue;
    const current = facts.sysctl(s.key);
    if (current === null) {
      ctx.error(`sysctl ${s.key} does not exist on kernel ${facts.host.kernel || 'unknown'}`, [s.arg]);
      continue;
    }
    if (current.trim() === s.value) continue;
    const path = `/proc/sys/${s.key.replace(/\./g, '/')}`;
    changes.push({
      summary: `${s.key}: ${current.trim()} -> ${s.value}`,
      diff: `${path}: ${current.trim()} -> ${s.value}\n`,
      ops: [liveWriteOp([{ path, value: s.value }])],
    });
  }
  if (wanted.length > 0) {
    const conf = ctx.render('tuning/vm-sysctl.conf.hbs', { settings: wanted });
    const file = fileChange(facts, { path: VM_SYSCTL_FILE, content: conf, mode: '0644', owner: 'root', group: 'root' });
    if (file) changes.push(file);
  }
  if (args.swap === 'off') changes.push(...swapChanges(facts, ctx.offline, (m) => ctx.warn(`${m}`)));
  return changes;
}
