import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPortWrite, planReconcile } from '../../../daemon/src/core/plan.js';
import type { PortState } from '../../../daemon/src/core/port.js';
import { producerSet, warmEnabled } from '../../../daemon/src/redis/sonic.js';
import { parseConfig } from '../../../daemon/src/config.js';
import { parseNetlinkDrops, parseStat, parseStatus } from '../../../daemon/src/obs/proc.js';
import { describeTarget } from '../../../daemon/src/redis/connect.js';

const e0: PortState = { name: 'Ethernet0', ifindex: 2, admin: true, oper: false, mtu: 9100 };

test('one port change is a plain HSET or DEL of its STATE_DB PORT_TABLE hash', () => {
  assert.deepEqual(planPortWrite(new Map([['Ethernet0', { state: e0 }]])), {
    cmd: 'hset',
    key: 'PORT_TABLE|Ethernet0',
    fields: { state: 'ok', netdev_oper_status: 'down', admin_status: 'up', mtu: '9100' },
  });
  assert.deepEqual(planPortWrite(new Map([['Ethernet4', { state: null }]])), { cmd: 'del', key: 'PORT_TABLE|Ethernet4' });
});

test('several port changes are one script call: keys, then oper/admin/mtu per key, empty for a deletion', () => {
  assert.deepEqual(
    planPortWrite(
      new Map([
        ['Ethernet0', { state: e0 }],
        ['Ethernet4', { state: null }],
      ]),
    ),
    {
      cmd: 'script',
      keys: ['PORT_TABLE|Ethernet0', 'PORT_TABLE|Ethernet4'],
      argv: ['down', 'up', '9100', '', '', ''],
    },
  );
});

test('reconcile deletes stale port keys only, and writes every known port', () => {
  const ops = planReconcile(new Map([['Ethernet0', e0]]), [
    'PORT_TABLE|Ethernet0',
    'PORT_TABLE|Ethernet8',
    'PORT_TABLE|eth0',
    'WARM_RESTART_TABLE|portsyncd',
  ]);
  assert.deepEqual(
    ops.map((o) => `${o.cmd} ${o.key}`),
    ['del PORT_TABLE|Ethernet8', 'hset PORT_TABLE|Ethernet0'],
  );
});

test('producer-state-table keys follow the SONiC convention', () => {
  assert.deepEqual(producerSet('PORT_TABLE', 'Ethernet0', { lanes: '0,1' }), {
    keys: ['PORT_TABLE_CHANNEL@0', 'PORT_TABLE_KEY_SET', '_PORT_TABLE:Ethernet0'],
    args: ['G', 'Ethernet0', 'lanes', '0,1'],
  });
  assert.equal(warmEnabled([null, 'true']), true);
  assert.equal(warmEnabled(['false', null]), false);
});

test('config: defaults, unix socket, and errors that name the key', () => {
  const c = parseConfig({ redis: { unix_socket: '/var/run/redis/redis.sock', password: 's3cret' } });
  assert.equal(c.netlink.rcvbufBytes, 16 << 20);
  assert.equal(c.http.host, '127.0.0.1');
  assert.equal(describeTarget(c.redis), 'unix:/var/run/redis/redis.sock');
  assert.ok(!describeTarget(c.redis).includes('s3cret'));
  assert.throws(
    () => parseConfig({ netlink: { rcvbuf: 1 } }, 'a.yaml'),
    /a\.yaml: netlink\.rcvbuf: unknown key; expected one of rcvbuf_bytes/,
  );
  assert.throws(() => parseConfig({ http: { port: 'x' } }), /http\.port: must be an integer from 0 to 65535 \(got "x"\)/);
  assert.throws(() => parseConfig({ log_level: 'loud' }), /log_level: must be one of debug, info, warn, error/);
  assert.throws(() => parseConfig({ state_save_interval_ms: 0 }), /^Error: config <config>: state_save_interval_ms: must be an integer/);
});

test('/proc parsers', () => {
  assert.deepEqual(parseStatus('Name:\tnode\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n'), {
    voluntaryCtxt: 12,
    involuntaryCtxt: 3,
  });
  assert.deepEqual(parseStat('42 (node (x)) S 1 42 42 0 -1 4194560 1500 0 7 0 5 3'), { minorFaults: 1500, majorFaults: 7 });
  const nl =
    'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n' +
    '0000000000000000 0   4242       00000001 0        0        0     2        17       98765\n';
  assert.equal(parseNetlinkDrops(nl, 98765), 17);
  assert.equal(parseNetlinkDrops(nl, 1), undefined);
});
