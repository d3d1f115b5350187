// The linux-arm64 artifact (`npm run bundle -- --arch arm64`: Node for arm64 from the npm
// registry, the addon cross-compiled with aarch64-linux-gnu-gcc) runs under qemu-user
// (qemu-aarch64, with Debian's arm64 libc from the cross toolchain) in a network namespace
// against a real Redis: the initial dump, a flap storm, a delete and a Redis restart.
// Slow under emulation (the build fetches Node once per checkout), so one daemon covers all four.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { configurePorts, converged, DaemonProc, flapLines, Netns, RedisServer, repoRoot, waitFor } from '../helpers/env.js';

const ARM64_SYSROOT = '/usr/aarch64-linux-gnu'; // libc6-arm64-cross, installed with gcc-aarch64-linux-gnu
const EM_AARCH64 = 183;

function sh(argv: string[], cwd = repoRoot()): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  const b = Buffer.alloc(20);
  readSync(fd, b, 0, 20, 0);
  closeSync(fd);
  return b.readUInt16LE(18);
}

test('the arm64 artifact under qemu-aarch64: initial dump, flap storm, delete, Redis restart', { timeout: 600_000 }, async () => {
  sh(['npm', 'run', '--silent', 'bundle', '--', '--arch', 'arm64']);
  const name = readFileSync(join(repoRoot(), 'build/portsyncd/LATEST-arm64'), 'utf8').trim();
  const ns = new Netns();
  const redis = new RedisServer(ns.dir);
  let daemon: DaemonProc | undefined;
  try {
    const into = join(ns.dir, 'artifact');
    mkdirSync(into);
    sh(['tar', '-xzf', join(repoRoot(), 'build/portsyncd', name), '-C', into]);
    assert.match(readFileSync(join(into, 'MANIFEST'), 'utf8'), /^platform linux-arm64$/m);
    for (const f of ['bin/node', 'lib/portsyncd_netlink.node'])
      assert.equal(elfMachine(join(into, f)), EM_AARCH64, `${f} is an arm64 ELF file`);
    // The launcher runs PORTSYNCD_NODE; here that is the arm64 node under qemu-user.
    const qemuNode = join(ns.dir, 'node-qemu');
    writeFileSync(qemuNode, `#!/bin/sh\nexec qemu-aarch64 -L ${ARM64_SYSROOT} ${join(into, 'bin/node')} "$@"\n`);
    chmodSync(qemuNode, 0o755);

    await redis.start();
    const ports = ns.addPorts([0, 4, 8, 12, 16, 20, 24, 28]);
    await configurePorts(redis, ports);
    daemon = new DaemonProc(ns, {
      redis: { unix_socket: redis.socket },
      command: [join(into, 'bin/portsyncd')],
      env: { PORTSYNCD_NODE: qemuNode, PORTSYNCD_ENTRY: join(into, 'lib/portsyncd.mjs') },
      settings: { mirror_all_ports: true }, // Redis comes back empty after its restart, CONFIG_DB included
    });
    const http = await daemon.ready(120_000);
    const state = redis.client(6);
    await converged(ns, state, 60_000);

    ns.batch([...flapLines(ports, 3000, 21), `link set ${ports[0]} mtu 9100`]);
    await converged(ns, state, 120_000);

    ns.batch([`link del ${ports[7]}`]);
    await waitFor('deleted port gone', async () => ((await state.exists(`PORT_TABLE|${ports[7]}`)) === 0 ? true : undefined), 60_000);

    await redis.kill();
    ns.batch(flapLines(ports.slice(0, 7), 500, 22));
    await redis.start();
    await converged(ns, redis.client(6), 120_000);
    const m = daemon.metrics(http);
    assert.equal(m.get('portsyncd_netlink_drops_total'), 0);
    assert.ok(m.get('portsyncd_redis_reconciles_total')! >= 2, 'reconciled again after the Redis restart');
  } finally {
    await daemon?.kill();
    await redis.stop();
    ns.destroy();
  }
});
