// The remote command line is run here by a local sh, exactly as sshd hands it to the login shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { privilegeFor, remoteCommand, withBecomeHint } from '../../../src/transport/ssh-shell.js';

const asUser = privilegeFor('root', false, 'root');

function runAsSshd(cmd: { command: string; stdinPrefix?: Buffer }, stdin = ''): string {
  const input = Buffer.concat([cmd.stdinPrefix ?? Buffer.alloc(0), Buffer.from(stdin)]);
  const r = spawnSync('sh', ['-c', cmd.command], { input });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

test('scripts with quotes, $ and newlines survive the trip unchanged', () => {
  const script = `x='it'"'"'s'; echo "$x \\$HOME"\necho 'a"b'`;
  assert.equal(runAsSshd(remoteCommand(script, asUser)), `it's $HOME\na"b\n`);
});

test('arguments become $1.. without any escaping by the caller', () => {
  const cmd = remoteCommand('printf "%s|" "$@"', asUser, [`/etc/it's here`, '$(reboot)', 'a b']);
  assert.equal(runAsSshd(cmd), `/etc/it's here|$(reboot)|a b|`);
});

test('every script travels on stdin ahead of the caller input, never in the command line', () => {
  for (const size of [10, 200_000]) {
    const script = `: '${'y'.repeat(size)}'\nread a; read b; echo "$b $a $1"`;
    const cmd = remoteCommand(script, asUser, ['arg'], true);
    assert.ok(!cmd.command.includes('yyyyy') && cmd.command.length < 200, cmd.command);
    assert.equal(runAsSshd(cmd, 'one\ntwo\n'), 'two one arg\n');
  }
});

test('a script that is all of stdin is read by the shell itself: no process reads it, its commands read nothing of it', () => {
  for (const size of [10, 200_000]) {
    const script = `: '${'y'.repeat(size)}'\nif read a; then echo "read $a"; else echo "nothing $1"; fi\necho 'last line'`;
    const cmd = remoteCommand(script, asUser, ['-x']);
    assert.equal(cmd.command, `sh -s -- '-x'`);
    assert.equal(runAsSshd(cmd), 'nothing -x\nlast line\n');
  }
});

test('a script cut short in transit runs nothing of itself', () => {
  const cmd = remoteCommand(`echo first\necho second\necho third`, asUser);
  const cut = { command: cmd.command, stdinPrefix: cmd.stdinPrefix.subarray(0, cmd.stdinPrefix.indexOf('third')) };
  const r = spawnSync('sh', ['-c', cut.command], { input: cut.stdinPrefix });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout.toString(), '');
});

test('become wraps in non-interactive sudo, only when the login user differs', () => {
  assert.equal(privilegeFor('root', true, 'root').sudo, false);
  assert.equal(privilegeFor('admin', false, 'root').sudo, false);
  const cmd = remoteCommand('id -u', privilegeFor('admin', true, 'root'), ['x']);
  assert.equal(cmd.command, `sudo -n -u 'root' -- sh -s -- 'x'`);
  assert.equal(cmd.stdinPrefix.toString(), '{\nid -u\n} </dev/null\n');
  const more = remoteCommand('id -u', privilegeFor('admin', true, 'root'), ['x'], true);
  assert.equal(more.command, `sudo -n -u 'root' -- sh -c 'eval "$(head -c 5)"' sh 'x'`);
  assert.equal(more.stdinPrefix.toString(), 'id -u');
});

test('a become password goes first on stdin, then a marker line; the command line holds neither the password nor the script', () => {
  const cmd = remoteCommand('id -u', privilegeFor('admin', true, 'root', "s3cret'pw"));
  const [password, marker, script] = cmd.stdinPrefix.toString().split('\n');
  assert.deepEqual([password, script], ["s3cret'pw", 'id -u']);
  assert.match(marker!, /^[0-9a-f]{24}$/);
  assert.ok(cmd.command.startsWith(`sudo -S -k -p '' -u 'root' -- sh -c `), cmd.command);
  assert.ok(cmd.command.includes(marker!) && !cmd.command.includes('s3cret') && !cmd.command.includes('id -u'), cmd.command);
  assert.notEqual(
    remoteCommand('id -u', privilegeFor('admin', true, 'root', 'x')).command,
    remoteCommand('id -u', privilegeFor('admin', true, 'root', 'x')).command,
  );
});

test("sudo's refusal for want of a password says how to give one, only where no password was given", () => {
  const refused = 'sudo: a password is required\n';
  const hint = 'hint: give it with -K (--ask-become-pass) or ansible_become_password (vaulted)\n';
  assert.equal(withBecomeHint(refused, privilegeFor('admin', true, 'root')), refused + hint);
  assert.equal(withBecomeHint('sudo: a password is required', privilegeFor('admin', true, 'root')), refused + hint);
  assert.equal(withBecomeHint(refused, privilegeFor('admin', true, 'root', 'pw')), refused, 'a password was given');
  assert.equal(withBecomeHint(refused, privilegeFor('root', true, 'root')), refused, 'no sudo of ours ran');
  assert.equal(withBecomeHint('cp: permission denied\n', privilegeFor('admin', true, 'root')), 'cp: permission denied\n');
});
