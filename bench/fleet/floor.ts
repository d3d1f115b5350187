// The SSH floor for a lab: connect to every switch at once with ssh2, run one small command on
// each, close. Same key, same strict host-key checking against the lab's known_hosts, same
// curve25519 key exchange as portsync-deploy. No fleet tool can do a run in less, so the
// benchmark reports every tool's time as a ratio of this one, measured in the same run.
// With --script FILE, each switch runs `sh -s` with FILE on stdin instead (as the CLI sends a
// gather), so a script's cost on a switch can be told from the session's.
//   node dist/bench/fleet/floor.js INVENTORY_DIR [--script FILE]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { parse } from 'yaml';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';

interface LabVars {
  ansible_user: string;
  ansible_port: number;
  ansible_ssh_private_key_file: string;
  known_hosts_file: string;
}
type Group = { hosts: Record<string, { ansible_host: string }> };

const [dir, option, scriptFile] = process.argv.slice(2);
if (!dir || (option !== undefined && (option !== '--script' || !scriptFile)))
  throw new Error('usage: floor.js INVENTORY_DIR [--script FILE]');
const script = scriptFile === undefined ? undefined : readFileSync(scriptFile);
const inv = parse(readFileSync(join(dir, 'hosts.yaml'), 'utf8')) as { all: { vars: LabVars; children: Record<string, Group> } };
const vars = inv.all.vars;
const privateKey = readFileSync(vars.ansible_ssh_private_key_file);
const known = parseKnownHosts(readFileSync(vars.known_hosts_file, 'utf8')).entries;
const hosts = Object.values(inv.all.children).flatMap((g) =>
  Object.entries(g.hosts).map(([name, h]) => ({ name, address: h.ansible_host })),
);

function connectAndExec(name: string, address: string): Promise<void> {
  const trusted = known.filter((e) => e.patterns.some((p) => p === address || p === name)).map((e) => e.key);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('error', (e) => reject(new Error(`${name}: ${e.message}`)));
    client.once('ready', () => {
      client.exec(script ? 'sh -s' : 'cat /proc/sys/kernel/hostname', (err, stream) => {
        if (err) return reject(err);
        stream.resume();
        stream.once('close', (code: number) => {
          client.end();
          if (code === 0) resolve();
          else reject(new Error(`${name}: exit ${code}`));
        });
        if (script) {
          stream.stderr.resume();
          stream.end(script);
        }
      });
    });
    client.connect({
      host: address,
      port: vars.ansible_port,
      username: vars.ansible_user,
      privateKey,
      hostVerifier: (key: Buffer) => trusted.some((t) => t.equals(key)),
    });
  });
}

await Promise.all(hosts.map((h) => connectAndExec(h.name, h.address)));
