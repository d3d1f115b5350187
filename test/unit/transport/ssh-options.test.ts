import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../../src/errors.js';
import { parseSshCommonArgs, resolveSshOptions } from '../../../src/transport/ssh-options.js';
import { splitWords } from '../../../src/script/words.js';
import { secrets } from '../../../src/secrets/redact.js';

const D = { user: 'ops', home: '/home/ops' };

test('defaults: inventory name as host, port 22, local user, ~/.ssh/known_hosts, documented timeouts', () => {
  assert.deepEqual(resolveSshOptions('sw1', {}, D), {
    hostName: 'sw1',
    host: 'sw1',
    port: 22,
    user: 'ops',
    privateKeyFile: undefined,
    knownHostsFile: '/home/ops/.ssh/known_hosts',
    jump: undefined,
    become: false,
    becomeUser: 'root',
    connectTimeoutMs: 10_000,
    commandTimeoutMs: 300_000,
    connectRetries: 2,
    keepaliveIntervalMs: 15_000,
    keepaliveCountMax: 3,
  });
});

test('Ansible aliases are accepted, and the tool names win over them', () => {
  const o = resolveSshOptions(
    'sw1',
    {
      ansible_host: '10.0.0.1',
      ansible_port: '2222',
      ansible_user: 'admin',
      ansible_ssh_private_key_file: '~/.ssh/fleet',
      ansible_become: 'yes',
      ansible_timeout: 5,
    },
    D,
  );
  assert.equal(o.host, '10.0.0.1');
  assert.equal(o.port, 2222);
  assert.equal(o.user, 'admin');
  assert.equal(o.privateKeyFile, '/home/ops/.ssh/fleet');
  assert.equal(o.become, true);
  assert.equal(o.connectTimeoutMs, 5000);

  const both = resolveSshOptions('sw1', { host: 'a', ansible_host: 'b', user: 'u1', ansible_user: 'u2', port: 830, ansible_port: 22 }, D);
  assert.deepEqual([both.host, both.user, both.port], ['a', 'u1', 830]);
});

test('jump_host: user@host:port with defaults for user and port, bracketed IPv6', () => {
  assert.deepEqual(resolveSshOptions('sw1', { jump_host: 'bastion' }, D).jump, { user: 'ops', host: 'bastion', port: 22 });
  assert.deepEqual(resolveSshOptions('sw1', { user: 'adm', jump_host: 'jump@10.1.1.1:2200' }, D).jump, {
    user: 'jump',
    host: '10.1.1.1',
    port: 2200,
  });
  assert.deepEqual(resolveSshOptions('sw1', { jump_host: '[fd00::1]:22' }, D).jump, { user: 'ops', host: 'fd00::1', port: 22 });
});

test('ansible_ssh_common_args: ProxyJump (-o, -oKey=, -J), UserKnownHostsFile, ProxyCommand -W', () => {
  const cases: [string, string | undefined][] = [
    ['-o ProxyJump=j@b:2022', 'j@b:2022'],
    ['-oProxyJump=b', 'b'],
    ['-o "ProxyJump b"', 'b'],
    ['-J j@b', 'j@b'],
    [`-o ProxyCommand="ssh -W %h:%p -q -p 2200 j@b"`, 'j@b:2200'],
    ['-o StrictHostKeyChecking=no', undefined],
  ];
  for (const [args, want] of cases) assert.equal(parseSshCommonArgs(args, 'sw1', []).proxyJump, want, args);
  const o = resolveSshOptions('sw1', { ansible_ssh_common_args: '-o UserKnownHostsFile=~/kh -o ProxyJump=j@b:2022' }, D);
  assert.equal(o.knownHostsFile, '/home/ops/kh');
  assert.deepEqual(o.jump, { user: 'j', host: 'b', port: 2022 });
  assert.equal(resolveSshOptions('sw1', { ansible_ssh_common_args: '-o ProxyJump=none' }, D).jump, undefined);
  assert.equal(resolveSshOptions('sw1', { jump_host: 'x', ansible_ssh_common_args: '-J y' }, D).jump?.host, 'x');
});

test('bad values are all reported at once, naming the host and the var', () => {
  assert.throws(
    () =>
      resolveSshOptions(
        'sw7',
        { port: 70000, connect_timeout: 'soon', become: 'maybe', jump_host: 'a,b', ansible_ssh_common_args: '-o ProxyCommand=nc %h %p' },
        D,
      ),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(
        e.problems.map((p) => [p.host, p.path]),
        [
          ['sw7', 'ansible_ssh_common_args'],
          ['sw7', 'jump_host'],
          ['sw7', 'port'],
          ['sw7', 'become'],
          ['sw7', 'connect_timeout'],
        ],
      );
      assert.match(e.message, /port is 70000, expected an integer from 1 to 65535/);
      assert.match(e.message, /only one jump host is supported/);
      return true;
    },
  );
});

test('shell word splitting honours quotes and escapes', () => {
  assert.deepEqual(splitWords(`a 'b c' "d \\"e\\"" f\\ g`), ['a', 'b c', 'd "e"', 'f g']);
  assert.deepEqual(splitWords('  '), []);
});

test('ssh_args with an unclosed quote is a located problem for the host', () => {
  const problems: { host?: string; path?: string; message: string }[] = [];
  assert.deepEqual(parseSshCommonArgs(`-o 'ProxyJump=bastion`, 'sw1', problems as never), {});
  assert.equal(problems[0]?.host, 'sw1');
  assert.equal(problems[0]?.path, 'ansible_ssh_common_args');
  assert.match(problems[0]!.message, /no closing ' quote/);
});

test('the become password (Ansible names) is kept for sudo, masked in every output, and refused with a line break', () => {
  const o = resolveSshOptions('sw1', { ansible_become: true, ansible_become_pass: 'Sudo-pw-1' }, D);
  assert.equal(o.becomePassword, 'Sudo-pw-1');
  assert.equal(secrets.redactText('told Sudo-pw-1 to sudo'), 'told ******** to sudo');
  assert.equal(resolveSshOptions('sw1', {}, D).becomePassword, undefined);
  assert.throws(
    () => resolveSshOptions('sw2', { ansible_become_password: 'two\nlines' }, D),
    (e: unknown) =>
      e instanceof ValidationError && /sw2.*become password holds a line break/s.test(e.message) && !e.message.includes('two'),
  );
});
