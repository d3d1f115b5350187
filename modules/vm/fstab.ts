// Swap entries of /etc/fstab and /proc/swaps, and the fstab edit that disables them.

export const SWAP_OFF_MARK = '# swap disabled by portsync-deploy: ';

const isSwapEntry = (line: string) => {
  const f = line.trim().split(/\s+/);
  return !line.trim().startsWith('#') && f.length >= 3 && f[2] === 'swap';
};

/** The active (not commented out) swap lines of an fstab. */
export function fstabSwapLines(fstab: string): string[] {
  return fstab.split('\n').filter(isSwapEntry);
}

/** The fstab with every active swap line commented out, marked so a reader knows why. */
export function commentOutSwap(fstab: string): string {
  return fstab
    .split('\n')
    .map((line) => (isSwapEntry(line) ? SWAP_OFF_MARK + line : line))
    .join('\n');
}

/** Devices or files swapping now: /proc/swaps without its header line. */
export function activeSwaps(procSwaps: string | null): string[] {
  return (procSwaps ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((d) => d !== undefined && d !== '');
}
