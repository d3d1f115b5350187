// An offline root (image build, test tree): files live under `chroot_dir`, scripts run on the
// control machine with every path prefixed, and live steps (sysctl -w, systemctl) are skipped.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LocalTransport } from './local.js';
import { UnreachableError } from '../errors.js';
import type { Transport } from './types.js';

class ChrootTransport extends LocalTransport {
  constructor(
    private readonly hostName: string,
    dir: string,
  ) {
    super({ root: resolve(dir), offline: true, transportName: 'chroot' });
  }

  override async connect(): Promise<void> {
    const st = await stat(this.root).catch(() => null);
    if (!st?.isDirectory()) throw new UnreachableError(this.hostName, `chroot_dir ${this.root} is not a directory`);
  }
}

export function createChrootTransport(hostName: string, dir: string): Transport {
  return new ChrootTransport(hostName, dir);
}
