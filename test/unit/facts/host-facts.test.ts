// Host facts: the parser on captured outputs, and the fragment run for real (dash, busybox) on
// this machine (read-only) and on a fake root tree laid out like a lab switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, hostname, release, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { hostFactsScript, parseHostFacts } from '../../../src/facts/host-facts.js';

// Captured on a virtio VM (sysctl list shortened). eth0 sits on device virtio2.
const VIRTIO_VM = `@@ hostname
vm
@@ kernel
6.18.44-fc-v657
@@ cpus
0-1
@@ numa
0
@@ irqbalance
inactive
@@ sysctl
./net/core/somaxconn
./net/ipv4/conf/eth0.100/forwarding
./vm/swappiness
@@ nic eth0
device virtio2
rx-0
tx-0
@@ nic lo
rx-0
tx-0
@@ interrupts
26 IO-APIC 4-edge ttyS0
37 PCI-MSIX-0000:00:03.0 0-edge virtio2-config
38 PCI-MSIX-0000:00:03.0 1-edge virtio2-input.0
39 PCI-MSIX-0000:00:03.0 2-edge virtio2-output.0
41 PCI-MSIX-0000:00:04.0 1-edge virtio3-rx
@@ block vda
none [mq-deadline] kyber bfq 
@@ block zram0
@@ end
`;

// A switch: SONiC front-panel ports, a mlx5 management NIC, an i40e NIC and multi-queue ports.
const SWITCH = `@@ hostname
sw-leaf-01
@@ kernel
6.1.0-29-2-amd64
@@ cpus
0-7
@@ numa
0-1
@@ systemd
@@ irqbalance
active
@@ nic Ethernet0
rx-0
rx-1
tx-0
@@ nic Ethernet04
rx-0
@@ nic eth0
device 0000:03:00.0
rx-0
@@ nic eth1
device 0000:05:00.1
rx-0
@@ nic veth0
rx-0
@@ interrupts
120 lab Ethernet0-rx-0
121 lab Ethernet0-rx-1
122 lab Ethernet04-rx-0
130 IR-PCI-MSIX-0000:03:00.0 0-edge mlx5_async0@pci:0000:03:00.0
131 IR-PCI-MSIX-0000:03:00.0 1-edge mlx5_comp0@pci:0000:03:00.0
140 IR-PCI-MSIX-0000:05:00.1 1-edge i40e-eth1-TxRx-0
141 IR-PCI-MSIX-0000:05:00.1 2-edge i40e-0000:05:00.1:misc
@@ block sda
[mq-deadline] none
@@ block nvme0n1
[none] mq-deadline
@@ end
`;

test('parses a virtio VM: IRQs by device name, dotted sysctl keys, schedulers', () => {
  const f = parseHostFacts(VIRTIO_VM);
  assert.equal(f.hostname, 'vm');
  assert.equal(f.kernel, '6.18.44-fc-v657');
  assert.deepEqual(f.cpusOnline, [0, 1]);
  assert.deepEqual(f.numaNodes, [0]);
  assert.deepEqual(f.sysctlKeys, ['net.core.somaxconn', 'net.ipv4.conf.eth0/100.forwarding', 'vm.swappiness']);
  assert.deepEqual(f.nics, [
    { name: 'eth0', irqs: [37, 38, 39], rxQueues: ['rx-0'] },
    { name: 'lo', irqs: [], rxQueues: ['rx-0'] },
  ]);
  assert.deepEqual(f.blockDevices, [
    { name: 'vda', schedulers: ['none', 'mq-deadline', 'kyber', 'bfq'], current: 'mq-deadline' },
    { name: 'zram0', schedulers: [], current: '' },
  ]);
  assert.equal(f.irqbalanceActive, false);
  assert.equal(f.systemd, false);
});

test('parses a switch: port names are whole words, PCI address maps driver IRQs', () => {
  const f = parseHostFacts(SWITCH);
  const irqs = Object.fromEntries(f.nics.map((n) => [n.name, n.irqs]));
  assert.deepEqual(irqs, {
    Ethernet0: [120, 121], // not Ethernet04's 122
    Ethernet04: [122],
    eth0: [130, 131], // mlx5_*@pci:0000:03:00.0
    eth1: [140, 141], // i40e-eth1-TxRx-0 and the device's misc vector
    veth0: [], // "eth0" inside "veth0" is not a word
  });
  assert.deepEqual(f.nics[0].rxQueues, ['rx-0', 'rx-1']);
  assert.deepEqual(f.cpusOnline, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(f.numaNodes, [0, 1]);
  assert.equal(f.irqbalanceActive, true);
  assert.equal(f.systemd, true);
  assert.equal(f.blockDevices.find((d) => d.name === 'nvme0n1')?.current, 'none');
});

test('an offline root with almost nothing readable gets safe defaults', () => {
  const f = parseHostFacts('@@ hostname\nimage\n@@ end\n');
  assert.deepEqual(f, {
    hostname: 'image',
    kernel: '',
    cpusOnline: [],
    numaNodes: [0],
    sysctlKeys: [],
    nics: [],
    blockDevices: [],
    irqbalanceActive: false,
    systemd: false,
  });
  assert.deepEqual(parseHostFacts('').numaNodes, [0]);
});

function runFragment(shell: string[], env: Record<string, string>): string {
  return execFileSync(shell[0], [...shell.slice(1), '-c', hostFactsScript()], { env, encoding: 'utf8' });
}

test('the fragment runs under dash on this machine and describes it', () => {
  const f = parseHostFacts(runFragment(['dash'], { PATH: process.env.PATH ?? '' }));
  assert.equal(f.hostname, hostname());
  assert.equal(f.kernel, release());
  assert.equal(f.cpusOnline.length, availableParallelism());
  assert.ok(f.numaNodes.includes(0));
  for (const key of ['net.core.somaxconn', 'kernel.hostname', 'vm.swappiness']) assert.ok(f.sysctlKeys.includes(key), key);
  assert.ok(f.nics.some((n) => n.name === 'lo' && n.rxQueues.includes('rx-0')));
  for (const d of f.blockDevices.filter((b) => b.schedulers.length > 0)) assert.ok(d.schedulers.includes(d.current), d.name);
  assert.equal(f.systemd, existsSync('/run/systemd/system'));
});

test(
  'the fragment gives the same facts under busybox applets only',
  { skip: !existsSync('/usr/bin/busybox') && 'busybox not installed' },
  () => {
    const bin = mkdtempSync(join(tmpdir(), 'hostfacts-busybox-'));
    try {
      execFileSync('/usr/bin/busybox', ['--install', '-s', bin]);
      const viaBusybox = parseHostFacts(runFragment([join(bin, 'sh')], { PATH: bin }));
      const viaDash = parseHostFacts(runFragment(['dash'], { PATH: process.env.PATH ?? '' }));
      assert.deepEqual({ ...viaBusybox, irqbalanceActive: false }, { ...viaDash, irqbalanceActive: false });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  },
);

test('with $ROOT the fragment reads a lab-like tree and skips live-only facts', () => {
  const root = mkdtempSync(join(tmpdir(), 'hostfacts-root-'));
  const put = (rel: string, content: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  try {
    put('etc/hostname', 'sw7'); // no trailing newline: must not glue onto the next section
    put('sys/devices/system/cpu/online', '0-3\n');
    put('sys/devices/system/node/online', '0-1');
    put('proc/sys/net/core/somaxconn', '4096\n');
    put('proc/sys/net/ipv4/conf/Ethernet0/forwarding', '1\n');
    put(
      'proc/interrupts',
      '           CPU0       CPU1\n 200:   5   0   lab   Ethernet0-rx-0\n 201:   0   0   lab   Ethernet4-rx-0\nNMI:   0   0   Non-maskable interrupts\n',
    );
    put('sys/class/net/Ethernet0/queues/rx-0/rps_cpus', '0\n');
    put('sys/class/net/Ethernet0/queues/tx-0/xps_cpus', '0\n');
    put('sys/class/net/Ethernet4/queues/rx-0/rps_cpus', '0\n');
    put('sys/block/sda/queue/scheduler', '[mq-deadline] none');
    mkdirSync(join(root, 'devices/pci0000:00/0000:03:00.0/net/mgmt0/queues/rx-0'), { recursive: true });
    symlinkSync(join(root, 'devices/pci0000:00/0000:03:00.0/net/mgmt0'), join(root, 'sys/class/net/mgmt0'));
    symlinkSync('../../../devices/pci0000:00/0000:03:00.0', join(root, 'devices/pci0000:00/0000:03:00.0/net/mgmt0/device'));
    mkdirSync(join(root, 'run/systemd/system'), { recursive: true });

    const f = parseHostFacts(runFragment(['dash'], { PATH: process.env.PATH ?? '', ROOT: root }));
    assert.deepEqual(f, {
      hostname: 'sw7',
      kernel: '',
      cpusOnline: [0, 1, 2, 3],
      numaNodes: [0, 1],
      sysctlKeys: ['net.core.somaxconn', 'net.ipv4.conf.Ethernet0.forwarding'].sort(),
      nics: [
        { name: 'Ethernet0', irqs: [200], rxQueues: ['rx-0'] },
        { name: 'Ethernet4', irqs: [201], rxQueues: ['rx-0'] },
        { name: 'mgmt0', irqs: [], rxQueues: ['rx-0'] },
      ],
      blockDevices: [{ name: 'sda', schedulers: ['mq-deadline', 'none'], current: 'mq-deadline' }],
      irqbalanceActive: false,
      systemd: true,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test(
  'in a namespace with 128 ports the per-interface sysctl dirs are sent once and expand exactly',
  { skip: process.getuid?.() !== 0 && 'needs root for a network namespace' },
  () => {
    const ns = `hostfacts-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const batch = Array.from({ length: 64 }, (_, i) => `link add Ethernet${i * 4} type veth peer name peer${i * 4}`).join('\n');
      execFileSync('ip', ['-n', ns, '-batch', '-'], { input: batch });
      const out = execFileSync('ip', ['netns', 'exec', ns, 'dash', '-c', hostFactsScript()], { encoding: 'utf8' });
      const listed = execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'cd /proc/sys && find . -type f'], { encoding: 'utf8' });
      const f = parseHostFacts(out);
      const full = listed
        .trim()
        .split('\n')
        .map((p) =>
          p
            .slice(2)
            .split('/')
            .map((c) => c.replace(/\./g, '/'))
            .join('.'),
        )
        .sort();
      assert.equal(f.sysctlKeys.length, full.length);
      assert.deepEqual(f.sysctlKeys, full);
      assert.ok(f.sysctlKeys.includes('net.ipv6.conf.Ethernet252.disable_ipv6'));
      assert.equal(f.nics.filter((n) => n.name.startsWith('Ethernet')).length, 64);
      assert.ok(out.length * 5 < listed.length, `fact output ${out.length} bytes vs ${listed.length} for the sysctl listing alone`);
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  },
);
