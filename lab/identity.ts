// What makes one switch itself: hostname, its own SSH host key (generated here, never
// shared and never in the cached rootfs) and the lab's client key as authorized key.
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runOk } from './exec.js';

const HOST_KEY = 'etc/ssh/ssh_host_ed25519_key';
/** The non-root account (passwordless sudo) created in the rootfs for "become" tests. */
export const LAB_USER = 'lab';

/** Generates the lab's client key once; returns its public half. */
export async function ensureClientKey(keyPath: string, labName: string): Promise<string> {
  if (!existsSync(keyPath)) {
    await mkdir(path.dirname(keyPath), { recursive: true });
    await runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `portsync-lab-${labName}`, '-f', keyPath]);
  }
  return (await readFile(`${keyPath}.pub`, 'utf8')).trim();
}

/** Writes the switch's identity into its root; returns the host's public key line. */
export async function writeSwitchIdentity(root: string, hostname: string, clientPublicKey: string): Promise<string> {
  await writeFile(path.join(root, 'etc/hostname'), `${hostname}\n`);
  await writeFile(
    path.join(root, 'etc/hosts'),
    `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
  );
  const hostKey = path.join(root, HOST_KEY);
  if (!existsSync(hostKey)) {
    await runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${hostname}`, '-f', hostKey]);
  }
  const { uid, gid } = passwdEntry(root, LAB_USER);
  for (const [home, owner] of [
    ['root', { uid: 0, gid: 0 }],
    [`home/${LAB_USER}`, { uid, gid }],
  ] as const) {
    const sshDir = path.join(root, home, '.ssh');
    await mkdir(sshDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(sshDir, 'authorized_keys'), `${clientPublicKey}\n`, { mode: 0o600 });
    await chown(sshDir, owner.uid, owner.gid);
    await chown(path.join(sshDir, 'authorized_keys'), owner.uid, owner.gid);
  }
  return (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
}

function passwdEntry(root: string, user: string): { uid: number; gid: number } {
  const line = readFileSync(path.join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} is missing from the switch rootfs`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
