import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { OverlayFacts, sysctlWrites } from '../../../src/facts/overlay.js';
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

test('sysctl -w ops set the live value later tasks see', () => {
  const o = new OverlayFacts(fakeFacts({ sysctl: { 'net.core.somaxconn': '128' } }));
  o.apply({ kind: 'exec', argv: ['sysctl', '-q', '-w', 'net.core.somaxconn=4096', 'net.ipv4.tcp_rmem=4096 87380 6291456'], live: true });
  assert.equal(o.sysctl('net.core.somaxconn'), '4096');
  assert.equal(o.sysctl('net.ipv4.tcp_rmem'), '4096 87380 6291456');
  assert.deepEqual(sysctlWrites(['sysctl', 'net.core.somaxconn']), []);
  assert.deepEqual(sysctlWrites(['echo', '-w', 'a=b']), []);
});
