// The facts the tuning modules read through their own queries: NICs, their IRQs and affinities
// (_tuning/irqs.ts), and block devices with their schedulers (_tuning/block-devices.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { irqFactsQuery, parseIrqFacts } from '../../../modules/_tuning/irqs.js';
import { blockDevices, parseScheduler } from '../../../modules/_tuning/block-devices.js';
import { sysfsValues } from '../../../modules/_tuning/sysfs-values.js';
import { gatheredSysfs, greppedSysfs } from '../../helpers/sysfs-gather.js';
import { fakeFacts } from '../../helpers/fake-facts.js';
import { waitFor } from '../../helpers/wait.js';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Captured on a virtio VM: eth0 sits on device virtio2.
const VIRTIO_VM = `nic eth0 virtio2
nic lo
irq 26 IO-APIC 4-edge ttyS0
irq 37 PCI-MSIX-0000:00:03.0 0-edge virtio2-config
irq 38 PCI-MSIX-0000:00:03.0 1-edge virtio2-input.0
irq 39 PCI-MSIX-0000:00:03.0 2-edge virtio2-output.0
irq 41 PCI-MSIX-0000:00:04.0 1-edge virtio3-rx
aff /proc/irq/38/smp_affinity_list 0-1
`;

// A switch: SONiC front-panel ports, a mlx5 management NIC, an i40e NIC, irqbalance running.
const SWITCH = `nic Ethernet0
nic Ethernet04
nic eth0 0000:03:00.0
nic eth1 0000:05:00.1
nic veth0
irq 120 lab Ethernet0-rx-0
irq 121 lab Ethernet0-rx-1
irq 122 lab Ethernet04-rx-0
irq 130 IR-PCI-MSIX-0000:03:00.0 0-edge mlx5_async0@pci:0000:03:00.0
irq 131 IR-PCI-MSIX-0000:03:00.0 1-edge mlx5_comp0@pci:0000:03:00.0
irq 140 IR-PCI-MSIX-0000:05:00.1 1-edge i40e-eth1-TxRx-0
irq 141 IR-PCI-MSIX-0000:05:00.1 2-edge i40e-0000:05:00.1:misc
aff /proc/irq/120/smp_affinity_list 1
irqbalance
`;

test('a virtio VM: IRQs by device name, affinities by path', () => {
  const f = parseIrqFacts(VIRTIO_VM);
  assert.deepEqual(f.nics, [
    { name: 'eth0', irqs: [37, 38, 39] },
    { name: 'lo', irqs: [] },
  ]);
  assert.deepEqual(f.affinity, { '/proc/irq/38/smp_affinity_list': '0-1' });
  assert.equal(f.irqbalanceActive, false);
});

test('a switch: port names are whole words, the PCI address maps driver IRQs', () => {
  const f = parseIrqFacts(SWITCH);
  assert.deepEqual(Object.fromEntries(f.nics.map((n) => [n.name, n.irqs])), {
    Ethernet0: [120, 121], // not Ethernet04's 122
    Ethernet04: [122],
    eth0: [130, 131], // mlx5_*@pci:0000:03:00.0
    eth1: [140, 141], // i40e-eth1-TxRx-0 and the device's misc vector
    veth0: [], // "eth0" inside "veth0" is not a word
  });
  assert.equal(f.irqbalanceActive, true);
  assert.deepEqual(parseIrqFacts(''), { nics: [], affinity: {}, irqbalanceActive: false });
});

test('the IRQ script says irqbalance runs exactly when pidof does: not for a zombie of it, nor for a name that imitates it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-irqbalance-'));
  const started: number[] = [];
  t.after(() => {
    for (const pid of started) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const sleepBin = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
  // A process's name is the name of the file it was started from.
  const named = (name: string) => {
    symlinkSync(sleepBin, join(dir, name));
    return join(dir, name);
  };
  const state = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      return '';
    }
  };
  const start = async (argv: string[], shows: (pid: number) => boolean) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    started.push(p.pid!);
    await waitFor(`${argv.join(' ')} to start`, () => shows(p.pid!));
    return p.pid!;
  };
  const says = () => parseIrqFacts(execFileSync('sh', irqFactsQuery().argv.slice(1), { encoding: 'utf8' })).irqbalanceActive;
  const pidof = () => spawnSync('pidof', ['irqbalance']).status === 0;
  const hasPidof = spawnSync('sh', ['-c', 'command -v pidof']).status === 0;
  const before = says();
  if (hasPidof) assert.equal(before, pidof());
  // Its name with ") R (" after it: /proc/PID/stat reads "N (irqbalance) R () S ...".
  const imitating = named('irqbalance) R (');
  await start([imitating, '60'], (pid) => state(pid).includes('(irqbalance) R ()'));
  // A zombie: its parent (sleep, after exec) never reaps it.
  const zombie = named('irqbalance');
  const parent = await start(['sh', '-c', `'${zombie}' 0 & exec '${sleepBin}' 60`], (pid) => state(pid).includes(' (sleep) '));
  await waitFor('the zombie', () => {
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.some((c) => / \(irqbalance\) Z /.test(state(Number(c))));
  });
  assert.equal(says(), before);
  if (hasPidof) assert.equal(pidof(), before);
  await start([zombie, '60'], (pid) => / \(irqbalance\) S /.test(state(pid)));
  assert.equal(says(), true);
  if (hasPidof) assert.equal(pidof(), true);
});

test('processes exiting while the IRQ script reads their stat files leave its answer whole', async (t) => {
  const churn: number[] = [];
  t.after(() => churn.forEach((pid) => process.kill(pid, 'SIGKILL')));
  const run = () =>
    new Promise<string>((done, fail) =>
      execFile('sh', irqFactsQuery().argv.slice(1), { encoding: 'utf8' }, (err, out) => (err ? fail(err) : done(out))),
    );
  const irqs = (out: string) => out.split('\n').filter((l) => l.startsWith('irq ')).length;
  const calm = irqs(await run());
  assert.ok(calm > 0, 'this machine lists IRQs in /proc/interrupts');
  // Short-lived processes come and go all the time, as on a busy switch: some exit between the
  // script listing /proc and reading their stat file, whose read then fails (ESRCH).
  for (let i = 0; i < 2; i++) churn.push(spawn('sh', ['-c', 'while :; do sh -c : & sh -c : & wait; done'], { stdio: 'ignore' }).pid!);
  const counts: number[] = [];
  for (let round = 0; round < 40; round++) counts.push(...(await Promise.all(Array.from({ length: 6 }, run))).map(irqs));
  assert.deepEqual(
    counts.filter((n) => n !== calm),
    [],
  );
});

test('sysfs values gathered with the kernel values are what grep -H . prints, on this machine: queues and schedulers', () => {
  const globs = ['/sys/class/net/*/queues/rx-*/rps_cpus', '/sys/class/net/*/queues/rx-*/rps_flow_cnt', '/sys/block/*/queue/scheduler'];
  const gathered = gatheredSysfs(globs);
  assert.deepEqual(gathered, greppedSysfs(globs));
  assert.ok(Object.keys(gathered).some((p) => p.endsWith('/scheduler')) || !existsSync('/sys/block'));
  // Under dash and bash alike: the globs expand in the gather's own shell.
  if (existsSync('/bin/bash')) assert.deepEqual(gatheredSysfs(globs, '/bin/bash'), gathered);
});

test("a file's value is its last non-empty line, trimmed, as grep -H . shows it; a file without one has none", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-sysfs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const texts = { a: '[none] mq-deadline\n', b: 'x\n\n  y \\t\n', c: 'no newline', d: '', e: '\n\n', f: '  \n' };
  for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
  const grep = spawnSync('sh', ['-c', `grep -H . -- '${dir}'/* 2>/dev/null; true`], { encoding: 'utf8' }).stdout;
  const want: Record<string, string> = {};
  for (const line of grep.split('\n').filter(Boolean)) want[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim();
  // The gather gives a kernel file's text with a newline at its end (readSegment).
  const files = Object.fromEntries(
    Object.entries(texts).map(([name, text]) => [join(dir, name), text.endsWith('\n') || !text ? text : `${text}\n`]),
  );
  assert.deepEqual(sysfsValues(fakeFacts({ files }), [`${dir}/*`]), want);
});

test('block devices: offered schedulers and the bracketed current one, from their scheduler files', () => {
  assert.deepEqual(parseScheduler('vda', 'none [mq-deadline] kyber bfq '), {
    name: 'vda',
    schedulers: ['none', 'mq-deadline', 'kyber', 'bfq'],
    current: 'mq-deadline',
  });
  // The lab's emulated file keeps the one word written to it.
  assert.equal(parseScheduler('sda', 'none').current, 'none');
  const devices = blockDevices(
    fakeFacts({
      files: { '/sys/block/nvme0n1/queue/scheduler': '[none] mq-deadline\n', '/sys/block/sda/queue/scheduler': '[mq-deadline] none\n' },
    }),
  );
  assert.deepEqual(
    devices.map((d) => [d.name, d.current]),
    [
      ['nvme0n1', 'none'],
      ['sda', 'mq-deadline'],
    ],
  );
});
