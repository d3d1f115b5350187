// The remote command line for a script: sh -c with safe quoting, wrapped in sudo for become.
import { randomBytes } from 'node:crypto';
import { shq, stdinScriptCommand, wholeStdinScript } from '../script/shell.js';

export interface Privilege {
  /** Run through `sudo -u becomeUser` (only when it differs from the login user). */
  sudo: boolean;
  becomeUser: string;
  /** The sudo password (ansible_become_password, -K): sent on stdin, never in the command line. */
  password?: string;
}

export function privilegeFor(loginUser: string, become: boolean, becomeUser: string, password?: string): Privilege {
  return { sudo: become && loginUser !== becomeUser, becomeUser, ...(password !== undefined ? { password } : {}) };
}

export interface RemoteCommand {
  command: string;
  /** Bytes to send on the channel before the caller's stdin: the script itself. */
  stdinPrefix: Buffer;
}

/**
 * The script travels on stdin ahead of the caller's input, never in the command line: sshd and
 * sudo put that in argv, where every local user can read it. `args` become $1.. of the script,
 * quoted, so paths never need escaping inside it. Unless the caller's bytes follow (`more`), the
 * shell reads the script itself (`sh -s`), so no process starts just to read it.
 */
export function remoteCommand(script: string, priv: Privilege, args: string[] = [], more = false): RemoteCommand {
  const sudo = priv.sudo ? `sudo -n -u ${shq(priv.becomeUser)} -- ` : '';
  if (!more && priv.password === undefined)
    return { command: `${sudo}sh -s${args.length ? ` -- ${args.map(shq).join(' ')}` : ''}`, stdinPrefix: wholeStdinScript(script) };
  const body = Buffer.from(script);
  const inner = stdinScriptCommand(body.length);
  const tail = args.length ? ` sh ${args.map(shq).join(' ')}` : '';
  if (priv.password === undefined) return { command: `${sudo}sh -c ${shq(inner)}${tail}`, stdinPrefix: body };
  // sudo -S reads the password line from stdin, byte by byte, and leaves the rest to the shell; -k
  // makes it ask every time, but a NOPASSWD rule asks nothing. So a random marker line follows the
  // password: the shell reads lines until the marker (at most two) and the password, when sudo
  // left it, only ever lands in a variable, never in what is evaluated.
  const marker = randomBytes(12).toString('hex');
  const skip = `IFS= read -r l; [ "$l" = ${marker} ] || IFS= read -r l; [ "$l" = ${marker} ] || exit 125; l=; ${inner}`;
  return {
    command: `sudo -S -k -p '' -u ${shq(priv.becomeUser)} -- sh -c ${shq(skip)}${tail}`,
    stdinPrefix: Buffer.concat([Buffer.from(`${priv.password}\n${marker}\n`), body]),
  };
}

/** What `sudo -n` says when the host's sudo wants a password and none was given. */
const SUDO_WANTS_PASSWORD = /^sudo: a password is required$/m;

/** A command's stderr, with how to give the password added where sudo refused for want of one. */
export function withBecomeHint(stderr: string, priv: Privilege): string {
  if (!priv.sudo || priv.password !== undefined || !SUDO_WANTS_PASSWORD.test(stderr)) return stderr;
  return `${stderr.replace(/\n?$/, '\n')}hint: give it with -K (--ask-become-pass) or ansible_become_password (vaulted)\n`;
}
