import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OverlayFacts } from '../../../src/facts/overlay.js';
import { fakeFacts } from '../../helpers/fake-facts.js';

test('puts, removes and symlinks show in file, stat and files(glob)', () => {
  const base = fakeFacts({
    files: { '/etc/sysctl.d/10-a.conf': 'a', '/etc/sysctl.d/20-b.conf': 'b' },
    stats: { '/etc/sysctl.d/20-b.conf': { type: 'file', mode: '0600', owner: 'root', group: 'adm', size: 1 } },
  });
  const o = new OverlayFacts(base);
  o.apply({ kind: 'put', path: '/etc/sysctl.d/20-b.conf', content: 'new' });
  o.apply({ kind: 'put', path: '/etc/sysctl.d/30-c.conf', content: 'c', mode: '0640' });
  o.apply({ kind: 'remove', path: '/etc/sysctl.d/10-a.conf' });
  o.apply({ kind: 'symlink', path: '/etc/l', target: '/etc/sysctl.d/30-c.conf' });
  assert.equal(o.file('/etc/sysctl.d/20-b.conf'), 'new');
  assert.deepEqual(o.stat('/etc/sysctl.d/20-b.conf'), {
    type: 'file',
    mode: '0600',
    owner: 'root',
    group: 'adm',
    size: 3,
    sha256: createHash('sha256').update('new').digest('hex'),
  });
  assert.equal(o.stat('/etc/sysctl.d/30-c.conf')?.mode, '0640');
  assert.equal(o.file('/etc/sysctl.d/10-a.conf'), null);
  assert.equal(o.file('/etc/l'), 'c');
  assert.deepEqual(o.files('/etc/sysctl.d/*.conf'), { '/etc/sysctl.d/20-b.conf': 'new', '/etc/sysctl.d/30-c.conf': 'c' });
  assert.equal(base.file('/etc/sysctl.d/20-b.conf'), 'b', 'the gathered facts stay as read');
});

test('declared effects set the live values later tasks see; the argv itself is never read', () => {
  const o = new OverlayFacts(
    fakeFacts({
      sysctl: { 'net.core.somaxconn': '128', 'vm.swappiness': '60' },
      units: { 'a.service': { load: 'loaded', active: 'inactive', sub: 'dead', enabled: 'disabled' } },
    }),
  );
  o.apply({
    kind: 'exec',
    argv: ['sh', '-c', 'anything'],
    live: true,
    effects: [
      { kind: 'sysctl', key: 'net.core.somaxconn', value: '4096' },
      { kind: 'unit', name: 'a.service', active: 'active' },
    ],
  });
  o.apply({ kind: 'exec', argv: ['sysctl', '-w', 'vm.swappiness=10'], live: true });
  o.apply({
    kind: 'exec',
    argv: ['systemctl', 'enable', 'a.service'],
    live: true,
    effects: [{ kind: 'unit', name: 'a.service', enabled: 'enabled' }],
  });
  assert.equal(o.sysctl('net.core.somaxconn'), '4096');
  assert.equal(o.sysctl('vm.swappiness'), '60', 'an exec without effects changes nothing the overlay models');
  assert.deepEqual(o.unit('a.service'), { load: 'loaded', active: 'active', sub: 'dead', enabled: 'enabled' });
});

test('where a folder led is the read one until a planned op replaces or removes it or a folder above it', () => {
  const read: Record<string, string> = { '/etc/app': '/etc/app', '/etc/app/conf.d': '/srv/conf.d', '/var/x': '/var/x' };
  const o = new OverlayFacts({ ...fakeFacts(), leads: (dir: string) => read[dir] });
  assert.equal(o.leads('/etc/app/conf.d'), '/srv/conf.d', 'a folder link the host has is followed as read');
  o.apply({ kind: 'dir', path: '/etc/app' });
  o.apply({ kind: 'put', path: '/etc/app/a.conf', content: 'a' });
  assert.equal(o.leads('/etc/app'), '/etc/app', 'a folder made or kept, or a file put in it, leaves it where it led');
  o.apply({ kind: 'symlink', path: '/etc/app/conf.d', target: '/opt/conf.d' });
  assert.equal(o.leads('/etc/app/conf.d'), undefined, 'the plan itself points it elsewhere');
  o.apply({ kind: 'remove', path: '/var' });
  assert.equal(o.leads('/var/x'), undefined, 'a folder above it removed by the plan');
  assert.equal(o.leads('/nowhere'), undefined, 'never read');
});

test('sysfs effects: the kernel file reads as declared through file() and sysfs(); unwritten ones stay as gathered', () => {
  const enabled = '/sys/kernel/mm/transparent_hugepage/enabled';
  const o = new OverlayFacts(fakeFacts({ files: { [enabled]: '[always] madvise never\n' } }));
  assert.equal(o.sysfs(enabled), undefined, 'nothing written yet: the gathered read stands');
  o.apply({
    kind: 'exec',
    argv: ['sh', '-c', 'anything'],
    live: true,
    effects: [
      { kind: 'sysfs', path: enabled, value: 'always [madvise] never' },
      { kind: 'sysfs', path: '/proc/irq/40/smp_affinity_list', value: '2-3' },
    ],
  });
  o.apply({ kind: 'exec', argv: ['sh', '-c', 'echo 1 > /proc/irq/41/smp_affinity_list'], live: true });
  assert.equal(o.file(enabled), 'always [madvise] never\n');
  assert.equal(o.sysfs(enabled), 'always [madvise] never');
  assert.equal(o.sysfs('/proc/irq/40/smp_affinity_list'), '2-3');
  assert.equal(o.sysfs('/proc/irq/41/smp_affinity_list'), undefined, 'an exec without effects changes nothing the overlay models');
});
