// The boot scripts run for real: in a private mount namespace, /proc/interrupts, /proc/irq,
// /sys/class/net and rps_sock_flow_entries are bind-mounted from a temp tree (as the lab does per
// switch), so the script's own IRQ matching and globbing are exercised without touching the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import irqAffinity from '../../../modules/irq_affinity/index.js';
import rps from '../../../modules/rps/index.js';
import { planWith } from './tuning-support.js';

const isRoot = process.getuid?.() === 0;

function scriptOf(changes: { ops: { kind: string; path?: string; content?: string }[] }[], path: string): string {
  const op = changes.flatMap((c) => c.ops).find((o) => o.kind === 'put' && o.path === path);
  assert.ok(op?.content, `no put of ${path}`);
  return op.content;
}

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

/** Run `script` with the fake tree bind-mounted over the kernel paths it uses. */
function runIsolated(t: string, script: string) {
  writeFileSync(join(t, 'script.sh'), script, { mode: 0o755 });
  const mounts = [
    `mount --bind ${t}/interrupts /proc/interrupts`,
    `mount --bind ${t}/irq /proc/irq`,
    `mount --bind ${t}/net /sys/class/net`,
    `mount --bind ${t}/rps_sock_flow_entries /proc/sys/net/core/rps_sock_flow_entries`,
  ].join(' && ');
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${mounts} && sh ${t}/script.sh`], { encoding: 'utf8' });
}

test(
  'boot scripts pin IRQs by interface and device name and set RPS on every rx queue',
  { skip: !isRoot && 'needs root for a private mount namespace' },
  () => {
    const t = mkdtempSync(join(tmpdir(), 'tuning-boot-'));
    try {
      tree(t, {
        interrupts: [
          '           CPU0       CPU1',
          ' 200:          5          0   lab   Ethernet0-rx-0',
          ' 201:          0          0   lab   Ethernet0-rx-1',
          ' 202:          0          0   lab   Ethernet04-rx-0',
          ' 300:          1          1   IR-PCI-MSIX-0000:03:00.0 1-edge  mlx5_comp0@pci:0000:03:00.0',
          ' 301:          1          1   IO-APIC 4-edge ttyS0',
          'NMI:          0          0   Non-maskable interrupts',
          '',
        ].join('\n'),
        'irq/200/smp_affinity_list': '0-1\n',
        'irq/201/smp_affinity_list': '0-1\n',
        'irq/202/smp_affinity_list': '0-1\n',
        'irq/300/smp_affinity_list': '0-1\n',
        'irq/301/smp_affinity_list': '0-1\n',
        'net/Ethernet0/queues/rx-0/rps_cpus': '0\n',
        'net/Ethernet0/queues/rx-1/rps_cpus': '0\n',
        'net/Ethernet0/queues/rx-0/rps_flow_cnt': '0\n',
        'net/Ethernet0/queues/rx-1/rps_flow_cnt': '0\n',
        'net/Ethernet0/queues/tx-0/xps_cpus': '0\n',
        'net/mgmt0/queues/rx-0/rps_cpus': '0\n',
        'devices/0000:03:00.0/vendor': '0x15b3\n',
        rps_sock_flow_entries: '0\n',
      });
      symlinkSync('../../devices/0000:03:00.0', join(t, 'net/mgmt0/device'));
      const facts = { host: { cpusOnline: [0, 1], nics: [] }, sysctl: { 'net.core.rps_sock_flow_entries': '0' } };

      const irq = planWith(irqAffinity, facts, { interfaces: ['Ethernet0', 'mgmt0'], cpus: '1' });
      const irqRun = runIsolated(t, scriptOf(irq.changes, '/usr/local/sbin/portsyncd-irq-affinity.sh'));
      assert.equal(irqRun.status, 0, irqRun.stderr);
      const affinity = (n: number) => readFileSync(join(t, `irq/${n}/smp_affinity_list`), 'utf8');
      assert.deepEqual([200, 201, 202, 300, 301].map(affinity), ['1\n', '1\n', '0-1\n', '1\n', '0-1\n']);

      const r = planWith(rps, facts, { interfaces: 'Ethernet*', cpus: '0-1', rps_sock_flow_entries: 4096, rps_flow_cnt: 256 });
      const rpsRun = runIsolated(t, scriptOf(r.changes, '/usr/local/sbin/portsyncd-rps.sh'));
      assert.equal(rpsRun.status, 0, rpsRun.stderr);
      const read = (rel: string) => readFileSync(join(t, rel), 'utf8');
      assert.equal(read('net/Ethernet0/queues/rx-0/rps_cpus'), '3\n');
      assert.equal(read('net/Ethernet0/queues/rx-1/rps_cpus'), '3\n');
      assert.equal(read('net/Ethernet0/queues/rx-1/rps_flow_cnt'), '256\n');
      assert.equal(read('net/mgmt0/queues/rx-0/rps_cpus'), '0\n');
      assert.equal(read('rps_sock_flow_entries'), '4096\n');

      // An IRQ listed without a writable affinity file: the run fails and says where.
      rmSync(join(t, 'irq/201'), { recursive: true });
      const failing = runIsolated(t, scriptOf(irq.changes, '/usr/local/sbin/portsyncd-irq-affinity.sh'));
      assert.equal(failing.status, 1);
      assert.match(failing.stderr, /portsyncd-tuning-irq.service: cannot write 1 to \/proc\/irq\/201\/smp_affinity_list/);
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  },
);
