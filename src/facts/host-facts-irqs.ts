// Which IRQs belong to which NIC. Drivers name their queue IRQs after the interface
// ("Ethernet0-rx-0", "eth0-TxRx-3", "i40e-eth0-TxRx-0") or after the device that carries it
// ("virtio2-input.0", "mlx5_comp0@pci:0000:03:00.0"), so a NIC owns every IRQ whose action
// names it, or its device, as a whole word.

export interface IrqLine {
  irq: number;
  /** Chip, hwirq and action names: everything after the per-CPU counts. */
  text: string;
}

const WORD_CHAR = /[A-Za-z0-9]/;

/** True when `word` occurs in `text` with no letter or digit directly before or after it. */
export function containsWord(text: string, word: string): boolean {
  if (word === '') return false;
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + word.length] ?? '';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return true;
  }
  return false;
}

/** IRQ numbers whose actions name the NIC or its device, ascending. */
export function irqsOfNic(lines: readonly IrqLine[], nic: string, device?: string): number[] {
  return lines
    .filter((l) => containsWord(l.text, nic) || (device !== undefined && containsWord(l.text, device)))
    .map((l) => l.irq)
    .sort((a, b) => a - b);
}

/** Lines as the fact script prints them: "41 PCI-MSIX-0000:00:04.0 1-edge virtio3-rx". */
export function parseIrqLines(lines: readonly string[]): IrqLine[] {
  const out: IrqLine[] = [];
  for (const line of lines) {
    const m = /^\s*(\d+)\s*(.*)$/.exec(line);
    if (m) out.push({ irq: Number(m[1]), text: m[2] });
  }
  return out;
}
