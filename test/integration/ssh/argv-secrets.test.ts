// Secret file content and the scripts carrying it never show in a process's arguments, which any
// local user can read in /proc/*/cmdline. An apply writes a 0600 file and holds its validate step
// for a while; every /proc/*/cmdline is scanned over and over meanwhile, over local, chroot and SSH.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createSshTransport } from '../../../src/transport/ssh.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import type { Transport } from '../../../src/transport/types.js';
import { compileApplyScript, parseApplyOutput } from '../../../src/exec/apply-script.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';
import { busyboxRoot } from '../../helpers/busybox-root.js';

const SLOW_VALIDATE = '/bin/busybox sh -c "/bin/busybox sleep 1.5" sh %s';

interface Scan {
  scans: number;
  sawValidate: boolean;
  leaks: string[];
}

/** Reads every process's argv until stopped, recording any that holds one of `needles`. */
function scanCmdlines(needles: string[]): { stop(): Promise<Scan> } {
  const result: Scan = { scans: 0, sawValidate: false, leaks: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        let argv: string;
        try {
          argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
        } catch {
          continue; // gone meanwhile
        }
        if (argv.includes('sleep 1.5')) result.sawValidate = true;
        for (const n of needles) if (argv.includes(n)) result.leaks.push(`pid ${pid}: ${argv.slice(0, 200)}`);
      }
      result.scans++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return result;
    },
  };
}

async function applySecretWhileScanning(tr: Transport, dest: string): Promise<Scan> {
  const secret = `S3CRET-${randomBytes(12).toString('hex')}\n`;
  const { script } = compileApplyScript(
    [
      {
        change: { summary: 'secret', ops: [{ kind: 'put', path: dest, content: secret, mode: '0600', validate: SLOW_VALIDATE }] },
        sets: [],
      },
    ],
    { root: tr.root, offline: tr.offline },
    true,
  );
  // This script's own heredoc delimiter: found in an argv only if the script itself is there.
  const delimiter = /PSD_[0-9a-f]+_0_0/.exec(script)![0];
  const needles = [secret.trim(), Buffer.from(secret).toString('base64').slice(0, 24), delimiter];
  const scan = scanCmdlines(needles);
  const res = await tr.exec(script);
  const seen = await scan.stop();
  const out = parseApplyOutput(res.stdout, 1);
  assert.equal(out[0]!.status, 'ok', out[0]!.error ?? res.stderr);
  return seen;
}

function assertNoLeak(seen: Scan): void {
  assert.ok(seen.sawValidate, 'the scan ran while the apply was in its validate step');
  assert.ok(seen.scans >= 10, `${seen.scans} scans`);
  assert.deepEqual(seen.leaks, []);
}

describe('no secret in process arguments', () => {
  let sshd: Sshd;
  let work: string;
  let vars: Record<string, unknown>;

  before(async () => {
    sshd = await startSshd();
    work = makeTempDir('psd-argv-');
    const kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, knownHostsLine(sshd) + '\n');
    vars = {
      ansible_host: '127.0.0.1',
      ansible_port: sshd.port,
      ansible_user: 'root',
      private_key_file: sshd.clientKey,
      known_hosts_file: kh,
    };
  });

  after(async () => {
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('local', async () => {
    const seen = await applySecretWhileScanning(createLocalTransport(), path.join(work, 'local-secret'));
    assertNoLeak(seen);
    assert.equal(fs.statSync(path.join(work, 'local-secret')).mode & 0o777, 0o600);
  });

  test('chroot', async () => {
    const root = path.join(work, 'root');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    busyboxRoot(root);
    const tr = createChrootTransport('h', root);
    await tr.connect();
    assertNoLeak(await applySecretWhileScanning(tr, '/etc/secret'));
    assert.match(fs.readFileSync(path.join(root, 'etc/secret'), 'utf8'), /^S3CRET-/);
  });

  test('ssh', async () => {
    const tr = createSshTransport('sw1', vars);
    await tr.connect();
    try {
      assertNoLeak(await applySecretWhileScanning(tr, path.join(work, 'ssh-secret')));
    } finally {
      await tr.close();
    }
  });
});
