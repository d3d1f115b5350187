// Run under a pseudo-terminal by passphrase-prompt.test.ts: connects two hosts that share one encrypted key.
import { createSshTransport } from '../../../src/transport/ssh.js';

const [port, key, knownHosts] = process.argv.slice(2) as [string, string, string];
const vars = { host: '127.0.0.1', port, user: 'root', private_key_file: key, known_hosts_file: knownHosts };
const hosts = [createSshTransport('sw1', vars), createSshTransport('sw2', vars)];
try {
  await Promise.all(hosts.map((t) => t.connect()));
  const out = await Promise.all(hosts.map((t) => t.exec('echo up')));
  process.stdout.write(`connected ${out.filter((r) => r.stdout === 'up\n').length}\n`);
} catch (e) {
  process.stdout.write(`failed: ${(e as Error).message}\n`);
} finally {
  await Promise.all(hosts.map((t) => t.close()));
}
