// A run starts connecting to its first hosts while it still loads, and logs in only once every
// task is prepared: the CLI over a real sshd at LogLevel VERBOSE, which logs "Connection from" for
// every connection and "Accepted publickey" for every login.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, keygen, knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';
import { shq } from '../../../src/script/shell.js';
import { repoRoot } from '../../unit/inventory/fixture-path.js';
import { sleep, waitFor } from '../../helpers/wait.js';
import { parseCliOptions } from '../../../src/cli/options.js';
import { EarlyConnections } from '../../../src/cli/early-connect.js';
import { loadWorkspace } from '../../../src/cli/workspace.js';
import { transportFactory } from '../../../src/cli/transports.js';
import { runPlaybook } from '../../../src/exec/run.js';
import { EXIT } from '../../../src/errors.js';
import type { RunEvent } from '../../../src/report/events.js';

const count = (text: string, re: RegExp) => text.match(new RegExp(re.source, 'g'))?.length ?? 0;
const LOGIN = /Accepted publickey for root/;
const CONNECTION = /Connection from 127\.0\.0\.1/;

describe('a run connects while it loads and logs in only once every task is prepared', () => {
  let sshd: Sshd;
  /** A second server, whose host key known_hosts records wrongly. */
  let impostor: Sshd;
  let work: string;
  let closedPort: number;

  const playbook = (name: string, hosts: string, content: string) => {
    const file = path.join(work, name);
    fs.writeFileSync(
      file,
      [
        '- name: Early',
        `  hosts: ${hosts}`,
        '  tasks:',
        '    - name: A file',
        '      copy:',
        `        dest: ${work}/out-{{ inventory_hostname }}.txt`,
        `        content: "${content}"`,
        '',
      ].join('\n'),
    );
    return file;
  };
  const bin = path.join(repoRoot, 'bin/portsync-deploy.js');
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, '-i', path.join(work, 'hosts.yaml')], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
  /** What sshd logged since `mark` (its log's length before the run). */
  const since = (server: Sshd, mark: number) => server.log().slice(mark);
  /** The log's length once every earlier connection has ended and its lines have arrived. */
  const markOf = async (server: Sshd) => {
    await waitFor('earlier connections to end', () => server.sessionPids().length === 0);
    await sleep(200);
    return server.log().length;
  };

  before(async () => {
    sshd = await startSshd([], { logLevel: 'VERBOSE' });
    impostor = await startSshd([], { logLevel: 'VERBOSE' });
    fs.copyFileSync(sshd.authorizedKeys, impostor.authorizedKeys);
    closedPort = await freePort();
    work = makeTempDir('psd-early-connect-');
    const kh = path.join(work, 'known_hosts');
    // sw3's entry holds the first server's key: the impostor presents another.
    fs.writeFileSync(kh, `${knownHostsLine(sshd)}\n[127.0.0.1]:${impostor.port} ${sshd.hostKeyPub}\n`);
    fs.writeFileSync(
      path.join(work, 'hosts.yaml'),
      [
        'all:',
        '  vars:',
        '    ansible_user: root',
        `    ansible_ssh_private_key_file: ${sshd.clientKey}`,
        `    known_hosts_file: ${kh}`,
        '    connect_retries: 0',
        '  hosts:',
        `    sw1: { ansible_host: 127.0.0.1, ansible_port: ${sshd.port} }`,
        `    sw2: { ansible_host: 127.0.0.1, ansible_port: ${closedPort} }`,
        `    sw3: { ansible_host: 127.0.0.1, ansible_port: ${impostor.port} }`,
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await sshd.stop();
    await impostor.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a template error: exit 3 with the error at its line, the host was connected to but never logged in to', async () => {
    const mark = await markOf(sshd);
    const r = cli([playbook('bad.yaml', 'sw1', '{{ no_such_var }}')]);
    assert.equal(r.status, EXIT.invalid, r.stdout + r.stderr);
    assert.match(r.stderr, /bad\.yaml:7:9 host sw1, task "A file", at copy\.content: undefined variable "no_such_var"/);
    assert.match(r.stderr, /1 problem found; nothing was changed\./);
    assert.doesNotMatch(r.stderr + r.stdout, /at .*\.js:\d+/);
    // The connection opened while the playbook loaded reached the server, and ended before authentication.
    await waitFor('sshd to log the connection', () => CONNECTION.test(since(sshd, mark)));
    await waitFor('the connection to end', () => sshd.sessionPids().length === 0);
    assert.equal(count(since(sshd, mark), LOGIN), 0, since(sshd, mark));
    assert.equal(fs.existsSync(path.join(work, 'out-sw1.txt')), false);
  });

  test('a good run logs in once, on the connection it opened while loading', async () => {
    const mark = await markOf(sshd);
    const r = cli([playbook('good.yaml', 'sw1', 'hello\\n'), '--json']);
    assert.equal(r.status, EXIT.ok, r.stdout + r.stderr);
    assert.equal(fs.readFileSync(path.join(work, 'out-sw1.txt'), 'utf8'), 'hello\n');
    const recap = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"event":"recap"'))
      .map((l) => JSON.parse(l) as { timings: Record<string, { from: number; to: number }> })[0]!;
    // The connection began before the run finished loading.
    assert.ok(recap.timings.connect!.from < recap.timings.load!.to, JSON.stringify(recap.timings));
    await waitFor('sshd to log the login', () => LOGIN.test(since(sshd, mark)));
    assert.equal(count(since(sshd, mark), CONNECTION), 1, since(sshd, mark));
    assert.equal(count(since(sshd, mark), LOGIN), 1);
  });

  test('a host unreachable or with a changed host key while connecting early is reported as before', async () => {
    const r = cli([playbook('all.yaml', 'all', 'hi\\n')]);
    assert.equal(r.status, EXIT.unreachable, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`unreachable: sw2 .*sw2 \\(root@127\\.0\\.0\\.1:${closedPort}\\): connection refused`));
    assert.match(r.stdout, /unreachable: sw3 .*REMOTE HOST IDENTIFICATION HAS CHANGED for sw3/);
    assert.match(r.stdout, /changed=1 +unreachable=0 +failed=0 .*: sw1/);
    assert.match(r.stdout, /unreachable=1 +failed=0 .*: sw2, sw3|unreachable=1 +failed=0 .*: sw\[2:3\]/);
    assert.equal(fs.readFileSync(path.join(work, 'out-sw1.txt'), 'utf8'), 'hi\n');
  });

  test('a load slow enough for the handshake to finish still logs in nowhere before every task is prepared', async () => {
    const mark = await markOf(sshd);
    const o = parseCliOptions([playbook('bad-late.yaml', 'sw1', '{{ no_such_var }}'), '-i', path.join(work, 'hosts.yaml')]);
    const early = new EarlyConnections(o.forks, { acceptNewHostKeys: false, log: () => {} });
    const events: RunEvent[] = [];
    const ws = await loadWorkspace(o, o.positionals[0], false, async (hosts) => {
      await early.playHosts(hosts);
      // The rest of the load takes long: time for a connection that did not wait to log in several times over.
      await waitFor('a connection to sshd', () => sshd.sessionPids().length === 1);
      await sleep(700);
    });
    const code = await runPlaybook(ws.plays, {
      env: ws.env,
      forks: o.forks,
      forceHandlers: false,
      transportFor: await transportFactory(
        ws.plays.flatMap((p) => p.hosts),
        { acceptNewHostKeys: false, log: () => {} },
      ),
      sessions: early.sessions,
      reporter: { emit: (e) => events.push(e) },
    });
    assert.equal(code, EXIT.invalid);
    assert.ok(events.some((e) => e.event === 'problems'));
    await waitFor('the connection to end', () => sshd.sessionPids().length === 0);
    assert.match(since(sshd, mark), CONNECTION);
    assert.equal(count(since(sshd, mark), LOGIN), 0, since(sshd, mark));
  });

  test('on a terminal, a passphrase is asked only once the run may log in: not at all for bad input', async () => {
    const passphrase = 'early-s3cret-phrase';
    const key = path.join(work, 'encrypted');
    fs.appendFileSync(sshd.authorizedKeys, keygen(key, 'ed25519', passphrase) + '\n');
    const inventory = path.join(work, 'encrypted.yaml');
    fs.writeFileSync(
      inventory,
      `sw1: { hosts: { sw1: { ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_user: root, ` +
        `ansible_ssh_private_key_file: ${key}, known_hosts_file: ${path.join(work, 'known_hosts')} } } }\n`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: work, NO_COLOR: '1' };
    delete env.PORTSYNC_SSH_PASSPHRASE;
    delete env.SSH_AUTH_SOCK;
    /** The CLI under a pty (util-linux script); the passphrase is typed when the prompt shows. */
    const onTerminal = (file: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const cmd = [process.execPath, bin, file, '-i', inventory].map(shq).join(' ');
        const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: work, env });
        let out = '';
        const take = (b: Buffer) => {
          const before = out;
          out += b.toString();
          if (!before.includes('Passphrase for key') && out.includes('Passphrase for key')) child.stdin.write(`${passphrase}\r`);
        };
        child.stdout.on('data', take);
        child.stderr.on('data', take);
        // A run that waited for an answer nobody gives would never end: stop it, and fail below.
        const stop = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', (code) => {
          clearTimeout(stop);
          resolve({ code, out });
        });
      });

    const bad = await onTerminal(playbook('bad-tty.yaml', 'sw1', '{{ no_such_var }}'));
    assert.equal(bad.code, EXIT.invalid, bad.out);
    assert.match(bad.out, /undefined variable "no_such_var"/);
    assert.doesNotMatch(bad.out, /Passphrase for key/);

    const good = await onTerminal(playbook('good-tty.yaml', 'sw1', 'typed\\n'));
    assert.equal(good.code, EXIT.ok, good.out);
    assert.equal(good.out.split('Passphrase for key').length - 1, 1);
    assert.equal(fs.readFileSync(path.join(work, 'out-sw1.txt'), 'utf8'), 'typed\n');
  });
});
