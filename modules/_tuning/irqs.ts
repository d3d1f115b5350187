// NICs, their IRQs and the IRQs' CPU affinity, as the irq_affinity module reads them: one script
// in the gather's own shell (inShell) lists the NICs with the device under each, prints
// /proc/interrupts without its per-CPU counts and every /proc/irq/N/smp_affinity_list, and says
// whether irqbalance runs, all three by one awk (a process costs a switch more than the files it
// reads). irqbalance runs as `pidof` would say: a process whose name (/proc/PID/stat, read up to
// its last ')') is irqbalance, zombies aside. `grep -s` reads the stat files for awk: a process
// that exits while read fails its read (ESRCH), which mawk takes as fatal and grep skips.
//
// Which IRQs belong to which NIC: drivers name their queue IRQs after the interface
// ("Ethernet0-rx-0", "eth0-TxRx-3", "i40e-eth0-TxRx-0") or after the device that carries it
// ("virtio2-input.0", "mlx5_comp0@pci:0000:03:00.0"), so a NIC owns every IRQ whose action
// names it, or its device, as a whole word.
import type { Facts, FactQuery } from '../../src/facts/types.js';
import { memoByString } from '../../src/memo.js';

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

/** Output lines: "nic NAME [DEVICE]", "irq N TEXT", "aff PATH VALUE", "irqbalance". */
const SCRIPT = String.raw`for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  if [ -e "$d/device" ] && cd -P "$d/device" 2>/dev/null; then echo "nic ${'$'}{d##*/} ${'$'}{PWD##*/}"; else echo "nic ${'$'}{d##*/}"; fi
done
cd /
grep -sh '' /proc/[0-9]*/stat | awk 'FILENAME == "-" {
       if (match($0, /^[0-9]+ \(.*\) /)) {
         o = index($0, "(")
         if (substr($0, o + 1, RLENGTH - o - 2) == "irqbalance" && substr($0, RLENGTH + 1, 1) != "Z") b = 1
       }
       next }
     FILENAME == "/proc/interrupts" {
       if (FNR == 1) { n = NF; next }
       if ($1 !~ /^[0-9]+:$/) next
       s = substr($1, 1, length($1) - 1)
       for (i = 2; i <= NF; i++) if (i > n + 1 || $i !~ /^[0-9]+$/) s = s " " $i
       print "irq " s; next }
     NF { print "aff " FILENAME " " $0 }
     END { if (b) print "irqbalance" }' - /proc/interrupts /proc/irq/*/smp_affinity_list 2>/dev/null
true`;

const ARGV = ['sh', '-c', SCRIPT];

export const irqFactsQuery = (): FactQuery & { kind: 'cmd' } => ({ kind: 'cmd', argv: ARGV, inShell: true });

export interface NicIrqs {
  name: string;
  /** IRQ numbers whose /proc/interrupts action names this NIC or its device, ascending. */
  irqs: number[];
}

export interface IrqFacts {
  nics: NicIrqs[];
  /** /proc/irq/N/smp_affinity_list -> its value. */
  affinity: Record<string, string>;
  irqbalanceActive: boolean;
}

/** The answer of irqFactsQuery. */
export function parseIrqFacts(stdout: string): IrqFacts {
  const nics: { name: string; device?: string }[] = [];
  const irqLines: string[] = [];
  const affinity: Record<string, string> = {};
  let irqbalanceActive = false;
  for (const line of stdout.split('\n')) {
    const [word, a = '', ...rest] = line.split(' ');
    if (word === 'nic' && a) nics.push({ name: a, ...(rest[0] ? { device: rest[0] } : {}) });
    else if (word === 'irq') irqLines.push(line.slice('irq '.length));
    else if (word === 'aff' && a) affinity[a] = rest.join(' ').trim();
    else if (word === 'irqbalance') irqbalanceActive = true;
  }
  const lines = parseIrqLines(irqLines);
  return { nics: nics.map((n) => ({ name: n.name, irqs: irqsOfNic(lines, n.name, n.device) })), affinity, irqbalanceActive };
}

/** Switches of one model list the same NICs, IRQs and pins (the script leaves the counts out):
 *  each distinct answer is parsed once, and shared read-only. */
const parsedAnswer = memoByString(parseIrqFacts, 64);

/** The IRQ facts as the play has left them so far: an affinity an earlier task writes shows. */
export function irqFacts(facts: Facts): IrqFacts {
  const parsed = parsedAnswer(facts.cmd(ARGV).stdout);
  const affinity: Record<string, string> = {};
  for (const [path, value] of Object.entries(parsed.affinity)) affinity[path] = facts.sysfs(path) ?? value;
  return { ...parsed, affinity };
}
