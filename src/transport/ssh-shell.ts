// The remote command line for a script: sh -c with safe quoting, wrapped in sudo for become.
import { shq } from './shell.js';

export interface Privilege {
  /** Run through `sudo -n -u becomeUser` (only when it differs from the login user). */
  sudo: boolean;
  becomeUser: string;
}

export function privilegeFor(loginUser: string, become: boolean, becomeUser: string): Privilege {
  return { sudo: become && loginUser !== becomeUser, becomeUser };
}

/**
 * Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN), and sshd hands the whole command to the
 * login shell as one argument. Scripts past this size travel on stdin ahead of the caller's input.
 */
export const MAX_INLINE_COMMAND = 100_000;

export interface RemoteCommand {
  command: string;
  /** Bytes to send on the channel before the caller's stdin (a large script). */
  stdinPrefix?: Buffer;
}

/** `args` become $1.. of the script, quoted, so paths never need escaping inside it. */
export function remoteCommand(script: string, priv: Privilege, args: string[] = []): RemoteCommand {
  const tail = args.length ? ` sh ${args.map(shq).join(' ')}` : '';
  const wrap = (inner: string) =>
    priv.sudo ? `sudo -n -u ${shq(priv.becomeUser)} -- sh -c ${shq(inner)}${tail}` : `sh -c ${shq(inner)}${tail}`;

  const inline = wrap(script);
  if (Buffer.byteLength(inline) <= MAX_INLINE_COMMAND) return { command: inline };

  // head -c reads exactly N bytes from a pipe, leaving the caller's stdin for the script itself.
  const body = Buffer.from(script);
  return { command: wrap(`eval "$(head -c ${body.length})"`), stdinPrefix: body };
}
