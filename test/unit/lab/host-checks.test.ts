import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BOOT_ARGS, nspawnArgs } from '../../../lab/container.js';
import { neededLimit } from '../../../lab/inotify.js';
import { assertPreconditions, checkPreconditions, HostNotReadyError } from '../../../lab/preconditions.js';
import { ROOTFS_SPEC, rootfsKey } from '../../../lab/rootfs.js';

const probe = (isRoot: boolean, missing: string[] = []) => ({ isRoot, hasCommand: (cmd: string) => !missing.includes(cmd) });

describe('lab preconditions', () => {
  it('passes on a prepared root host', () => {
    assert.deepEqual(checkPreconditions(probe(true)), []);
  });

  it('names each missing command and ends with the apt-get line to paste', () => {
    const lines = checkPreconditions(probe(true, ['systemd-nspawn', 'ssh-keygen']));
    assert.deepEqual(lines, [
      'command not found: systemd-nspawn (Debian package systemd-container)',
      'command not found: ssh-keygen (Debian package openssh-client)',
      'fix: apt-get install -y systemd-container debootstrap iproute2 openssh-client',
    ]);
  });

  it('requires root, and throws before anything is changed', () => {
    assert.match(checkPreconditions(probe(false))[0], /must run as root/);
    assert.throws(
      () => assertPreconditions(probe(false, ['debootstrap'])),
      (err) => {
        assert.ok(err instanceof HostNotReadyError);
        assert.match(err.message, /apt-get install -y systemd-container debootstrap iproute2$/);
        return true;
      },
    );
  });
});

describe('lab rootfs cache key', () => {
  const files = [{ name: 'setup.sh', content: 'echo a' }];
  it('changes with the package list and with any setup file, not with package order', () => {
    const base = rootfsKey(ROOTFS_SPEC, files);
    assert.equal(rootfsKey({ ...ROOTFS_SPEC, packages: [...ROOTFS_SPEC.packages].reverse() }, files), base);
    assert.notEqual(rootfsKey({ ...ROOTFS_SPEC, packages: [...ROOTFS_SPEC.packages, 'vim'] }, files), base);
    assert.notEqual(rootfsKey(ROOTFS_SPEC, [{ name: 'setup.sh', content: 'echo b' }]), base);
  });

  it('lists the packages the switches need, and no Node.js', () => {
    for (const p of ['systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'redis-server', 'iproute2', 'procps', 'python3', 'sudo']) {
      assert.ok(ROOTFS_SPEC.packages.includes(p), p);
    }
    assert.ok(!ROOTFS_SPEC.packages.some((p) => /node/.test(p)));
  });
});

describe('lab inotify budget', () => {
  it('keeps the host limit when the new switches fit', () => {
    assert.equal(neededLimit(128, 20, 10), undefined);
  });
  it('raises to a multiple of 128 that fits every new switch', () => {
    const limit = neededLimit(128, 20, 100);
    assert.ok(limit !== undefined && limit % 128 === 0 && limit >= 20 + 4 * 100);
  });
});

describe('switch container arguments', () => {
  it('boots the trimmed systemd in the prepared namespace with its own writable /proc/sys/net', () => {
    const args = nspawnArgs('/state/leaf1/root', 'leaf1', 'lab-leaf1');
    for (const a of [
      '--directory=/state/leaf1/root',
      '--hostname=leaf1',
      '--register=no',
      '--keep-unit',
      '--private-network',
      '--network-namespace-path=/run/netns/lab-leaf1',
      '--boot',
    ]) {
      assert.ok(args.includes(a), a);
    }
    assert.deepEqual(args.slice(args.indexOf('--') + 1), BOOT_ARGS);
    assert.ok(BOOT_ARGS.includes('systemd.mask=systemd-logind.service'));
    assert.ok(BOOT_ARGS.includes('systemd.show_status=false'));
  });
});
