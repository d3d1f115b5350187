import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { converged, DaemonProc, Netns, RedisServer, waitFor } from '../helpers/env.js';
import { NotifyListener } from '../helpers/notify.js';

test('SIGTERM then a warm start: restore_count incremented, APPL_DB left alone, no stale keys', async () => {
  const ns = new Netns();
  const redis = new RedisServer(ns.dir);
  const notify = new NotifyListener(`@psd-notify-${ns.name}`, ns); // abstract sockets live in the namespace
  try {
    await redis.start();
    await notify.bound;
    const ports = ns.addPorts([0, 4, 8, 12]);
    await redis.client(4).hset('PORT|Ethernet0', { lanes: '0' });
    const state = redis.client(6);
    const appl = redis.client(0);

    const first = new DaemonProc(ns, { redis: { unix_socket: redis.socket }, settings: { mirror_all_ports: true } });
    await first.ready();
    await converged(ns, state);
    const [code] = await first.terminate();
    assert.equal(code, 0);
    const saved = JSON.parse(readFileSync(first.stateFile, 'utf8')) as { ports: Array<{ name: string }> };
    assert.deepEqual(saved.ports.map((p) => p.name).sort(), [...ports].sort());

    // While the daemon is down: one port goes away, one comes up; warm restart is enabled.
    ns.batch(['link del Ethernet12', 'link set Ethernet4 up']);
    await state.hset('WARM_RESTART_ENABLE_TABLE|swss', 'enable', 'true');
    await appl.del('_PORT_TABLE:Ethernet0', 'PORT_TABLE_KEY_SET');

    const second = new DaemonProc(
      ns,
      { redis: { unix_socket: redis.socket }, env: { NOTIFY_SOCKET: `@psd-notify-${ns.name}` }, settings: { mirror_all_ports: true } },
      first.stateFile,
    );
    await second.ready();
    await converged(ns, state);
    assert.equal(await state.exists('PORT_TABLE|Ethernet12'), 0);
    assert.equal(await state.hget('WARM_RESTART_TABLE|portsyncd', 'restore_count'), '1');
    assert.equal(await appl.exists('_PORT_TABLE:Ethernet0'), 0, 'warm start does not rewrite CONFIG_DB-derived entries');
    assert.equal(second.log('warm start: kernel compared with saved state')?.removed, 1);
    await waitFor('READY over the abstract socket', () => notify.messages.includes('READY=1') || undefined, 3000);
    await second.terminate();
  } finally {
    notify.stop();
    await redis.stop();
    ns.destroy();
  }
});
