// Sockets dialled before the SSH client loads: each is handed to its own host's handshake once, at
// the address it was dialled for; a failed dial leaves nothing behind, and what no handshake took
// is closed. Real TCP on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { DialledSockets } from '../../../src/transport/dial-ahead.js';
import { phaseTimings } from '../../../src/timings.js';
import { sleep, waitFor } from '../../helpers/wait.js';

let server: net.Server;
let port: number;
const accepted: net.Socket[] = [];

before(async () => {
  server = net.createServer((s) => accepted.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  for (const s of accepted) s.destroy();
  server.close();
});

async function closedPort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((ok) => s.close(ok));
  return p;
}

test('a dialled host gets its socket once, at its address, and the dial starts the connect phase', async () => {
  const d = new DialledSockets();
  const before = accepted.length;
  d.dial('leaf1', '127.0.0.1', port);
  assert.ok(phaseTimings().connect, 'the connect phase starts at the dial');
  await waitFor('the server to accept', () => accepted.length === before + 1);
  const s = d.take('leaf1', '127.0.0.1', port);
  assert.ok(s instanceof net.Socket && !s.destroyed);
  assert.equal(d.take('leaf1', '127.0.0.1', port), undefined, 'handed out once');
  s.destroy();
});

test('hosts sharing one address each get their own socket; another host gets none', async () => {
  const d = new DialledSockets();
  d.dial('a', '127.0.0.1', port);
  d.dial('b', '127.0.0.1', port);
  assert.equal(d.take('c', '127.0.0.1', port), undefined);
  const a = d.take('a', '127.0.0.1', port);
  const b = d.take('b', '127.0.0.1', port);
  assert.ok(a && b && a !== b);
  a.destroy();
  b.destroy();
});

test('a socket asked for at another address is closed, not handed over', async () => {
  const d = new DialledSockets();
  d.dial('leaf1', '127.0.0.1', port);
  assert.equal(d.take('leaf1', '127.0.0.1', port + 1), undefined);
  assert.equal(d.take('leaf1', '127.0.0.1', port), undefined, 'the mismatched socket is gone');
});

test('a refused dial neither throws nor is handed over', async () => {
  const d = new DialledSockets();
  const refused = await closedPort();
  d.dial('leaf1', '127.0.0.1', refused);
  await sleep(100); // loopback refuses at once
  assert.equal(d.take('leaf1', '127.0.0.1', refused), undefined);
});

test('drop closes every socket no handshake took', async () => {
  const d = new DialledSockets();
  const before = accepted.length;
  d.dial('leaf1', '127.0.0.1', port);
  await waitFor('the server to accept', () => accepted.length === before + 1);
  const far = accepted.at(-1)!.resume();
  d.drop();
  await waitFor('the dialled socket to close', () => far.readableEnded);
  assert.equal(d.take('leaf1', '127.0.0.1', port), undefined);
});
