import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessages } from '../../../daemon/src/netlink/parse.js';
import { done, error, link, RUNNING, UP } from '../helpers/nlmsg.js';

test('parses a NEWLINK with name, mtu, master and link kind', () => {
  const [m] = parseMessages(
    link({ ifindex: 7, flags: UP | RUNNING, name: 'Ethernet4', mtu: 9100, master: 3, kind: 'veth', seq: 9, pid: 42, nlFlags: 2 }),
  );
  assert.deepEqual(m, {
    kind: 'link',
    type: 16,
    seq: 9,
    pid: 42,
    nlFlags: 2,
    link: { family: 0, ifindex: 7, flags: UP | RUNNING, name: 'Ethernet4', mtu: 9100, master: 3, kind: 'veth' },
  });
});

test('parses several messages from one buffer, with DONE and ERROR', () => {
  const msgs = parseMessages(Buffer.concat([link({ ifindex: 1, name: 'lo' }), done(5, 1), error(6, 1, 16)]));
  assert.deepEqual(
    msgs.map((m) => m.kind),
    ['link', 'done', 'error'],
  );
  assert.deepEqual(msgs[2], { kind: 'error', seq: 6, pid: 1, errno: 16 });
});

test('a length running past the buffer is reported as malformed, not thrown', () => {
  const b = link({ ifindex: 1, name: 'Ethernet0' });
  b.writeUInt32LE(b.length + 100, 0);
  const msgs = parseMessages(b);
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0]!.kind, 'malformed');
});

test('honours the length argument and ignores zero padding', () => {
  const b = Buffer.concat([link({ ifindex: 2, name: 'Ethernet8' }), Buffer.alloc(64)]);
  assert.equal(parseMessages(b, b.length).length, 1);
  assert.deepEqual(
    parseMessages(b, 10).map((m) => m.kind),
    ['malformed'],
    'a cut message is malformed',
  );
});

test('fuzz: random and mutated input never throws', () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const valid = Buffer.concat([link({ ifindex: 3, flags: UP, name: 'Ethernet0', mtu: 1500, kind: 'team' }), done(1, 2)]);
  for (let i = 0; i < 20000; i++) {
    let b: Buffer;
    if (i % 2) {
      b = Buffer.from(valid);
      for (let k = 0; k < 1 + (i % 5); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      b = b.subarray(0, Math.floor(rand() * (b.length + 1)));
    } else {
      b = Buffer.alloc(Math.floor(rand() * 200));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
    }
    const msgs = parseMessages(b);
    assert.ok(msgs.length <= b.length / 16 + 1, 'message count bounded by input size');
  }
});
