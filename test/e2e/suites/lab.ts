// The lab itself: switches are healthy and isolated from the host and from each other.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leaderPid, switchProcesses } from '../../../lab/cgroups.js';
import { run } from '../../../lab/exec.js';
import { healthy } from '../../../lab/health.js';
import { labReboot, labStatus, labUp, switchExec } from '../../../lab/lab.js';
import type { E2eLab } from '../lab-handle.js';

/** Every host path the lab emulates per switch, with the host's value at the time of reading. */
function hostKnobs(): Map<string, string> {
  const paths = [
    '/proc/sys/vm/swappiness',
    '/proc/sys/vm/overcommit_memory',
    '/proc/sys/net/core/rmem_default',
    '/proc/sys/net/core/rmem_max',
    '/proc/sys/net/core/wmem_default',
    '/proc/sys/net/core/wmem_max',
    '/proc/sys/fs/file-max',
    '/sys/kernel/mm/transparent_hugepage/enabled',
    '/sys/kernel/mm/transparent_hugepage/defrag',
    '/proc/irq/default_smp_affinity',
  ];
  for (const dev of readdirSync('/sys/block')) {
    const scheduler = `/sys/block/${dev}/queue/scheduler`;
    if (existsSync(scheduler)) paths.push(scheduler);
  }
  for (const irq of readdirSync('/proc/irq').filter((n) => /^\d+$/.test(n))) {
    paths.push(`/proc/irq/${irq}/smp_affinity`, `/proc/irq/${irq}/smp_affinity_list`);
  }
  return new Map(paths.map((p) => [p, readFileSync(p, 'utf8')]));
}

async function sh(lab: E2eLab, switchName: string, script: string): Promise<string> {
  const result = await switchExec(lab.name, switchName, ['sh', '-ec', script]);
  assert.equal(result.code, 0, `on ${switchName}: ${script}\n${result.stderr}`);
  return result.stdout;
}

async function ssh(lab: E2eLab, switchName: string, command: string, opts: { user?: string; knownHostsFile?: string } = {}) {
  return run(['ssh', ...lab.sshArgs(switchName, opts), command], { timeoutMs: 30_000 });
}

/** A value different from the current one, for each kind of knob. */
function otherThp(current: string): string {
  return /\[never\]/.test(current) ? 'always' : 'never';
}

export function labSuite(lab: E2eLab): void {
  describe('switch lab', () => {
    it('reports every switch healthy: container running, SSH, systemd running, Redis', async () => {
      const status = await labStatus(lab.name);
      assert.deepEqual(
        status.map((s) => s.name),
        lab.info.switches.map((s) => s.name),
      );
      for (const s of status) assert.ok(healthy(s), JSON.stringify(s));
    });

    it('gives every switch its own hostname, host key and the ports Ethernet0, Ethernet4, ...', async () => {
      const keys = new Set(lab.info.switches.map((s) => s.hostKey));
      assert.equal(keys.size, lab.info.switches.length);
      for (const sw of lab.info.switches) {
        assert.equal((await sh(lab, sw.name, 'hostname')).trim(), sw.name);
        const links = await sh(lab, sw.name, "ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep ^Ethernet");
        const expected = Array.from({ length: lab.info.ports }, (_, i) => `Ethernet${i * 4}`);
        assert.deepEqual(links.trim().split('\n').sort(), expected.sort());
      }
    });

    it('emulates every global kernel knob per switch: writes stick there and leave the host unchanged', async () => {
      const before = hostKnobs();
      const thpEnabled = otherThp(before.get('/sys/kernel/mm/transparent_hugepage/enabled')!);
      const irqs = await sh(lab, 'leaf1', 'awk \'/Ethernet0-rx-0$/ {sub(":", "", $1); print $1}\' /proc/interrupts');
      const irq = irqs.trim();
      assert.match(irq, /^\d+$/, 'Ethernet0-rx-0 has an IRQ in /proc/interrupts');
      const read = await sh(
        lab,
        'leaf1',
        `sysctl -qw vm.swappiness=7 vm.overcommit_memory=1 fs.file-max=1234567 \
           net.core.rmem_default=333333 net.core.rmem_max=12345678 net.core.wmem_default=444444 net.core.wmem_max=23456789
         echo ${thpEnabled} > /sys/kernel/mm/transparent_hugepage/enabled
         echo never > /sys/kernel/mm/transparent_hugepage/defrag
         echo kyber > /sys/block/sda/queue/scheduler
         echo 1 > /proc/irq/${irq}/smp_affinity_list
         echo 2 > /proc/irq/${irq}/smp_affinity
         echo 1 > /proc/irq/default_smp_affinity
         sysctl -n vm.swappiness vm.overcommit_memory fs.file-max net.core.rmem_default net.core.rmem_max net.core.wmem_default net.core.wmem_max
         cat /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag /sys/block/sda/queue/scheduler
         cat /proc/irq/${irq}/smp_affinity_list /proc/irq/${irq}/smp_affinity /proc/irq/default_smp_affinity`,
      );
      assert.deepEqual(read.trim().split('\n'), [
        '7',
        '1',
        '1234567',
        '333333',
        '12345678',
        '444444',
        '23456789',
        thpEnabled,
        'never',
        'kyber',
        '1',
        '2',
        '1',
      ]);
      assert.deepEqual(hostKnobs(), before, 'host knobs unchanged');
      const other = await sh(lab, 'spine1', 'sysctl -n vm.swappiness; cat /sys/block/sda/queue/scheduler');
      assert.notEqual(other.split('\n')[0], '7', 'another switch keeps its own value');
      assert.match(other, /\[mq-deadline\]/);
    });

    it('lays out /proc/interrupts like a NIC: rx and tx IRQs per port queue, each with affinity files', async () => {
      const interrupts = await sh(lab, 'spine1', 'cat /proc/interrupts');
      const [header, ...lines] = interrupts.trimEnd().split('\n');
      assert.match(header, /^\s+CPU0/);
      const names = lines.map((l) => l.trim().split(/\s+/).pop());
      assert.ok(names.includes('Ethernet0-rx-0') && names.includes('Ethernet0-tx-0'), names.join(' '));
      assert.ok(names.includes(`Ethernet${(lab.info.ports - 1) * 4}-rx-0`));
      const irqs = lines.map((l) => l.trim().split(':')[0]);
      const listed = await sh(lab, 'spine1', `for i in ${irqs.join(' ')}; do cat /proc/irq/$i/smp_affinity_list; done`);
      assert.equal(listed.trim().split('\n').length, irqs.length);
    });

    it('makes per-port RPS masks writable, in the switch only', async () => {
      const out = await sh(
        lab,
        'leaf2',
        'echo 1 > /sys/class/net/Ethernet0/queues/rx-0/rps_cpus; cat /sys/class/net/Ethernet0/queues/rx-0/rps_cpus',
      );
      assert.match(out.trim(), /^0*1$/);
      const ro = await switchExec(lab.name, 'leaf2', ['sh', '-c', 'echo 1 > /sys/kernel/mm/ksm/run']);
      assert.notEqual(ro.code, 0, 'the rest of /sys stays read-only');
    });

    it('produces real netlink events when a port goes down and up', async () => {
      const out = await sh(
        lab,
        'leaf1',
        `ip monitor link > /tmp/monitor & pid=$!
         sleep 0.3; ip link set Ethernet4 down; ip link set Ethernet4 up; sleep 0.3
         kill $pid; cat /tmp/monitor`,
      );
      const events = out.split('\n').filter((l) => l.includes('Ethernet4'));
      assert.ok(
        events.some((l) => !/[<,]UP[,>]/.test(l)),
        `a down event for Ethernet4 in:\n${out}`,
      );
      assert.ok(
        events.some((l) => /[<,]UP[,>]/.test(l)),
        `an up event for Ethernet4 in:\n${out}`,
      );
    });

    it('serves Redis on 127.0.0.1:6379 and /var/run/redis/redis.sock', async () => {
      const out = await sh(lab, 'spine1', 'redis-cli -h 127.0.0.1 -p 6379 ping; redis-cli -s /var/run/redis/redis.sock ping');
      assert.equal(out, 'PONG\nPONG\n');
    });

    it('keeps switches in their own cgroups: stopping a service on one leaves the others running', async () => {
      await sh(lab, 'leaf1', 'systemctl stop redis-server');
      try {
        for (const other of ['spine1', 'leaf2']) {
          assert.equal((await sh(lab, other, 'systemctl is-active redis-server')).trim(), 'active', other);
        }
      } finally {
        await sh(lab, 'leaf1', 'systemctl start redis-server');
      }
      const leaves = new Set(lab.info.switches.map((s) => switchProcesses(lab.name, s.name).join(',')));
      assert.equal(leaves.size, lab.info.switches.length, 'no process is shared between switch cgroups');
    });

    it('accepts the lab key for root and for a sudo user, with strict host key checking', async () => {
      const root = await ssh(lab, 'leaf2', 'id -u; hostname');
      assert.equal(root.code, 0, root.stderr);
      assert.equal(root.stdout, '0\nleaf2\n');
      const become = await ssh(lab, 'leaf2', 'sudo -n id -u', { user: 'lab' });
      assert.equal(become.code, 0, become.stderr);
      assert.equal(become.stdout, '0\n');
    });

    it('refuses an SSH connection when the known host key is wrong', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lab-known-hosts-'));
      try {
        const tampered = path.join(dir, 'known_hosts');
        const spineKey = lab.switch('spine1').hostKey;
        const lines = readFileSync(lab.info.inventory.knownHostsFile, 'utf8')
          .split('\n')
          .map((l) => (l.startsWith(`${lab.switch('leaf1').address},`) ? `${l.split(' ')[0]} ${spineKey}` : l));
        writeFileSync(tampered, lines.join('\n'));
        const refused = await ssh(lab, 'leaf1', 'true', { knownHostsFile: tampered });
        assert.equal(refused.code, 255);
        assert.match(refused.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
        const accepted = await ssh(lab, 'leaf1', 'true');
        assert.equal(accepted.code, 0, accepted.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reboots a switch: files on its disk stay, emulated knobs return to their defaults', async () => {
      await sh(lab, 'leaf1', 'echo kept > /etc/lab-reboot-marker; sysctl -qw vm.swappiness=3');
      const health = await labReboot(lab.name, 'leaf1');
      assert.ok(healthy(health), JSON.stringify(health));
      const out = await sh(lab, 'leaf1', 'cat /etc/lab-reboot-marker; sysctl -n vm.swappiness; rm /etc/lab-reboot-marker');
      assert.equal(out, `kept\n${readFileSync('/proc/sys/vm/swappiness', 'utf8')}`);
    });

    it('up is idempotent: it keeps running switches and restarts dead ones', async () => {
      const leaders = lab.info.switches.map((s) => leaderPid(lab.name, s.name));
      const knownHosts = readFileSync(lab.info.inventory.knownHostsFile, 'utf8');
      const again = await labUp({ name: lab.name });
      assert.deepEqual(again.started, []);
      assert.deepEqual(
        again.kept,
        lab.info.switches.map((s) => s.name),
      );
      assert.deepEqual(
        lab.info.switches.map((s) => leaderPid(lab.name, s.name)),
        leaders,
      );
      assert.equal(readFileSync(lab.info.inventory.knownHostsFile, 'utf8'), knownHosts);

      for (const pid of switchProcesses(lab.name, 'leaf2')) process.kill(pid, 'SIGKILL');
      const revived = await labUp({ name: lab.name, waitFor: 'healthy' });
      assert.deepEqual(revived.started, ['leaf2']);
      assert.equal(readFileSync(lab.info.inventory.knownHostsFile, 'utf8'), knownHosts, 'a restarted switch keeps its host key');
      assert.equal((await ssh(lab, 'leaf2', 'hostname')).stdout, 'leaf2\n');
    });
  });
}
