import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkTracker } from '../../../daemon/src/core/tracker.js';
import { parseMessages } from '../../../daemon/src/netlink/parse.js';
import { done, error, link, RUNNING, UP, type LinkSpec } from '../helpers/nlmsg.js';

const ME = 777; // the daemon socket's port id
const IP = 555; // port id of the `ip` process causing events

function feed(t: LinkTracker, ...bufs: Buffer[]): void {
  t.apply(parseMessages(Buffer.concat(bufs)));
}
const reply = (seq: number, s: LinkSpec) => link({ ...s, seq, pid: ME, nlFlags: 2 });
const event = (s: LinkSpec) => link({ ...s, seq: 99, pid: IP });
const names = (t: LinkTracker) => [...t.ports.keys()].sort();

function synced(...ports: LinkSpec[]): LinkTracker {
  const t = new LinkTracker(ME);
  t.requestDump();
  const seq = t.takeDumpToSend()!;
  feed(t, ...ports.map((p) => reply(seq, p)), done(seq, ME));
  assert.equal(t.takeDumpCompleted(), true);
  t.takeChanges();
  return t;
}

test('the initial dump fills the model; non-ports, team and bridge-family links are left out', () => {
  const t = new LinkTracker(ME);
  t.requestDump();
  const seq = t.takeDumpToSend()!;
  assert.equal(t.takeDumpToSend(), undefined, 'one request per dump');
  feed(
    t,
    reply(seq, { ifindex: 1, name: 'lo', flags: UP | RUNNING, mtu: 65536 }),
    reply(seq, { ifindex: 2, name: 'Ethernet0', flags: UP | RUNNING, mtu: 9100 }),
    reply(seq, { ifindex: 3, name: 'Ethernet4', flags: UP, mtu: 1500 }),
    reply(seq, { ifindex: 4, name: 'PortChannel1', flags: 0, mtu: 1500, kind: 'team' }),
    reply(seq, { ifindex: 5, name: 'PortChannel2', flags: UP, mtu: 1500, kind: 'bridge' }),
  );
  assert.equal(t.takeDumpCompleted(), false);
  feed(t, done(seq, ME));
  assert.equal(t.takeDumpCompleted(), true);
  assert.deepEqual(names(t), ['Ethernet0', 'Ethernet4', 'PortChannel2']);
  assert.deepEqual(t.ports.get('Ethernet4'), { name: 'Ethernet4', ifindex: 3, admin: true, oper: false, mtu: 1500 });
  assert.equal(t.takeChanges().size, 3);
});

test('events update, coalesce (last wins) and delete; unchanged states produce no change', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP | RUNNING, mtu: 1500 });
  feed(t, event({ ifindex: 2, name: 'Ethernet0', flags: UP | RUNNING, mtu: 1500 }));
  assert.equal(t.takeChanges().size, 0);
  feed(t, event({ ifindex: 2, name: 'Ethernet0', flags: 0, mtu: 1500 }), event({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 9000 }));
  assert.deepEqual([...t.takeChanges()], [['Ethernet0', { name: 'Ethernet0', ifindex: 2, admin: true, oper: false, mtu: 9000 }]]);
  feed(t, event({ type: 17, ifindex: 2, name: 'Ethernet0' }));
  assert.deepEqual([...t.takeChanges()], [['Ethernet0', null]]);
  assert.equal(t.ports.size, 0);
});

test('DELLINK of an enslaved link is ignored', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 });
  feed(t, event({ type: 17, ifindex: 2, name: 'Ethernet0', master: 9 }));
  assert.deepEqual(names(t), ['Ethernet0']);
  assert.equal(t.counters.ignored, 1);
});

test('a renamed link leaves its old port behind', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 });
  feed(t, event({ ifindex: 2, name: 'eth9', flags: UP, mtu: 1500 }));
  assert.deepEqual([...t.takeChanges()], [['Ethernet0', null]]);
  feed(t, event({ ifindex: 2, name: 'Ethernet8', flags: UP, mtu: 1500 }));
  assert.deepEqual(names(t), ['Ethernet8']);
});

test('resync pitfall: events queued before the re-dump do not count as present', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 }, { ifindex: 3, name: 'Ethernet4', flags: UP, mtu: 1500 });
  // Overflow: Ethernet4 was flapped and then deleted, and the DELLINK was dropped.
  t.overflow();
  const seq = t.takeDumpToSend()!;
  feed(
    t,
    event({ ifindex: 3, name: 'Ethernet4', flags: 0, mtu: 1500 }), // queued before the request
    reply(seq, { ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 }),
    event({ ifindex: 5, name: 'Ethernet8', flags: UP, mtu: 1500 }), // created after the first reply
    done(seq, ME),
  );
  assert.equal(t.takeDumpCompleted(), true);
  assert.deepEqual(names(t), ['Ethernet0', 'Ethernet8']);
  assert.equal(t.takeChanges().get('Ethernet4'), null);
});

test('a port deleted after the first dump reply is gone when the dump ends', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 }, { ifindex: 3, name: 'Ethernet4', flags: UP, mtu: 1500 });
  t.overflow();
  const seq = t.takeDumpToSend()!;
  feed(
    t,
    reply(seq, { ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 }),
    reply(seq, { ifindex: 3, name: 'Ethernet4', flags: UP, mtu: 1500 }),
    event({ type: 17, ifindex: 3, name: 'Ethernet4' }),
    done(seq, ME),
  );
  assert.deepEqual(names(t), ['Ethernet0']);
});

test('overflow or NLM_F_DUMP_INTR during a dump queues exactly one more dump', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 });
  t.overflow();
  const seq = t.takeDumpToSend()!;
  feed(t, reply(seq, { ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500, nlFlags: 2 | 0x10 }));
  t.overflow();
  assert.equal(t.takeDumpToSend(), undefined, 'no second request while one runs');
  feed(t, done(seq, ME));
  const again = t.takeDumpToSend();
  assert.ok(again !== undefined && again !== seq);
  assert.equal(t.takeDumpToSend(), undefined);
});

test('a refused dump request (EBUSY) is asked again; replies of finished dumps are ignored', () => {
  const t = synced({ ifindex: 2, name: 'Ethernet0', flags: UP, mtu: 1500 });
  t.requestDump();
  const seq = t.takeDumpToSend()!;
  feed(t, error(seq, ME, 16));
  assert.equal(t.counters.dumpRetries, 1);
  const retry = t.takeDumpToSend()!;
  assert.notEqual(retry, seq);
  feed(t, reply(seq, { ifindex: 9, name: 'Ethernet99', flags: UP, mtu: 1500 }));
  assert.equal(t.ports.has('Ethernet99'), false);
});

test('fuzz: the tracker stays bounded and never throws on mutated streams', () => {
  const t = new LinkTracker(ME);
  t.requestDump();
  let seed = 7;
  const rand = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * n);
  for (let i = 0; i < 5000; i++) {
    const b = link({
      type: 16 + rand(2),
      ifindex: rand(40),
      name: `Ethernet${rand(40)}`,
      flags: rand(0x80),
      mtu: 1500,
      seq: rand(3),
      pid: rand(2) ? ME : IP,
      nlFlags: rand(32),
    });
    if (rand(3) === 0) b[rand(b.length)] = rand(256);
    t.apply(parseMessages(b));
    t.takeDumpToSend();
    t.takeChanges();
  }
  assert.ok(t.ports.size <= 40);
});

test('after a restart, the previous ifindex of a port whose name moved is stale: its messages are ignored', () => {
  const t = new LinkTracker(
    ME,
    1,
    new Map([
      ['Ethernet0', 2],
      ['Ethernet4', 3],
    ]),
  );
  t.requestDump();
  const seq = t.takeDumpToSend()!;
  feed(
    t,
    reply(seq, { ifindex: 2, name: 'Ethernet8', flags: UP, mtu: 1500 }), // the old netdev, renamed
    reply(seq, { ifindex: 3, name: 'Ethernet4', flags: UP, mtu: 1500 }), // unchanged: not stale
    reply(seq, { ifindex: 7, name: 'Ethernet0', flags: UP, mtu: 1500 }), // the new netdev
    done(seq, ME),
  );
  assert.deepEqual(names(t), ['Ethernet0', 'Ethernet4']);
  feed(t, event({ ifindex: 2, name: 'Ethernet8', flags: 0, mtu: 9000 }), event({ type: 17, ifindex: 2, name: 'Ethernet0' }));
  assert.deepEqual(names(t), ['Ethernet0', 'Ethernet4']);
  assert.equal(t.ports.get('Ethernet0')?.ifindex, 7);
  assert.equal(t.counters.stale, 2);
  feed(t, event({ ifindex: 3, name: 'Ethernet4', flags: 0, mtu: 1500 }));
  assert.equal(t.ports.get('Ethernet4')?.admin, false);
});
