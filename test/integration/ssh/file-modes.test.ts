// Modes and owners of what an apply writes, on a chroot root (bare: no tools of its own) and over a
// real sshd: folders the tool creates are 0755 (the apply script's own umask is 077) or the
// folder's declared mode, files keep their declared mode, or the mode and owner of the file they
// replace (uploads too), or get 0644 when new.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applyHost } from '../../../src/exec/apply-host.js';
import type { Change } from '../../../src/module.js';
import type { HostPlan } from '../../../src/plan/types.js';
import type { Task } from '../../../src/playbook/types.js';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { createSshTransport } from '../../../src/transport/ssh.js';
import type { Transport } from '../../../src/transport/types.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

const NOBODY = 65534;

function planOf(changes: Change[]): HostPlan {
  const task = { name: 'write files' } as Task;
  return { host: 'sw1', tasks: [{ task, index: 0, status: 'changed', changes, warnings: [] }], handlers: [], after: undefined as never };
}

/** Writes through `transport`, whose paths land under `base` on this machine; checks what landed. */
async function writesWithSaneModes(transport: Transport, prefix: string, base: string, work: string): Promise<void> {
  fs.mkdirSync(path.join(base, 'etc'), { recursive: true });
  const kept = path.join(base, 'etc/kept.conf');
  fs.writeFileSync(kept, 'old\n');
  fs.chmodSync(kept, 0o640);
  fs.chownSync(kept, NOBODY, NOBODY);
  // An upload over an existing file: its mode and owner are kept, by tools of the control
  // machine on a chroot root (which has none of its own here).
  const keptUpload = path.join(base, 'etc/kept.bin');
  fs.writeFileSync(keptUpload, 'old release\n');
  fs.chmodSync(keptUpload, 0o640);
  fs.chownSync(keptUpload, NOBODY, NOBODY);
  const artifact = path.join(work, 'artifact.bin');
  fs.writeFileSync(artifact, 'release\n');
  const sha256 = createHash('sha256').update('release\n').digest('hex');
  const at = (p: string) => `${prefix}${p}`;

  const outcome = await applyHost(
    transport,
    planOf([
      { summary: 'new file in new folders', ops: [{ kind: 'put', path: at('/etc/new/deeper/unit.conf'), content: 'x\n' }] },
      { summary: 'replace a file', ops: [{ kind: 'put', path: at('/etc/kept.conf'), content: 'new\n' }] },
      { summary: 'declared mode', ops: [{ kind: 'put', path: at('/etc/secret.conf'), content: 's\n', mode: '0600' }] },
      { summary: 'upload', ops: [{ kind: 'upload', path: at('/opt/rel/new/artifact.bin'), localPath: artifact, sha256 }] },
      { summary: 'upload over a file', ops: [{ kind: 'upload', path: at('/etc/kept.bin'), localPath: artifact, sha256 }] },
      { summary: 'declared folder mode', ops: [{ kind: 'dir', path: at('/var/lib/app/state'), mode: '0750' }] },
    ]),
    true,
  );
  assert.deepEqual(
    outcome.results.map((r) => [r.status, r.msg]),
    [['changed', undefined]],
  );

  const mode = (p: string) => (fs.statSync(path.join(base, p)).mode & 0o7777).toString(8);
  assert.equal(mode('etc/new'), '755');
  assert.equal(mode('etc/new/deeper'), '755');
  assert.equal(mode('etc/new/deeper/unit.conf'), '644');
  assert.equal(fs.readFileSync(kept, 'utf8'), 'new\n');
  assert.equal(mode('etc/kept.conf'), '640');
  assert.deepEqual([fs.statSync(kept).uid, fs.statSync(kept).gid], [NOBODY, NOBODY]);
  assert.equal(mode('etc/secret.conf'), '600');
  assert.equal(mode('opt/rel'), '755');
  assert.equal(mode('opt/rel/new'), '755');
  assert.equal(mode('opt/rel/new/artifact.bin'), '644');
  assert.equal(fs.readFileSync(keptUpload, 'utf8'), 'release\n');
  assert.equal(mode('etc/kept.bin'), '640');
  assert.deepEqual([fs.statSync(keptUpload).uid, fs.statSync(keptUpload).gid], [NOBODY, NOBODY]);
  assert.equal(mode('var/lib/app'), '755');
  assert.equal(mode('var/lib/app/state'), '750');
}

describe('file and folder modes of an apply', () => {
  let sshd: Sshd;
  let work: string;
  const open: Transport[] = [];

  before(async () => {
    sshd = await startSshd();
    work = makeTempDir('psd-modes-');
  });

  after(async () => {
    for (const t of open) await t.close();
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('on a chroot root', async () => {
    const root = path.join(work, 'chroot');
    fs.mkdirSync(root);
    const t = createChrootTransport('sw1', root);
    open.push(t);
    await t.connect();
    await writesWithSaneModes(t, '', root, work);
  });

  test('over SSH', async () => {
    const kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, knownHostsLine(sshd) + '\n');
    const t = createSshTransport('sw1', {
      ansible_host: '127.0.0.1',
      ansible_port: sshd.port,
      ansible_user: 'root',
      private_key_file: sshd.clientKey,
      known_hosts_file: kh,
    });
    open.push(t);
    await t.connect();
    const base = path.join(work, 'ssh');
    await writesWithSaneModes(t, base, base, work);
  });
});
