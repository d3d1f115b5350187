// The remote command line for a script: sh -c with safe quoting, wrapped in sudo for become.
import { shq, stdinScriptCommand } from '../script/shell.js';

export interface Privilege {
  /** Run through `sudo -n -u becomeUser` (only when it differs from the login user). */
  sudo: boolean;
  becomeUser: string;
}

export function privilegeFor(loginUser: string, become: boolean, becomeUser: string): Privilege {
  return { sudo: become && loginUser !== becomeUser, becomeUser };
}

export interface RemoteCommand {
  command: string;
  /** Bytes to send on the channel before the caller's stdin: the script itself. */
  stdinPrefix: Buffer;
}

/**
 * The script travels on stdin ahead of the caller's input, never in the command line: sshd and
 * sudo put that in argv, where every local user can read it. `args` become $1.. of the script,
 * quoted, so paths never need escaping inside it.
 */
export function remoteCommand(script: string, priv: Privilege, args: string[] = []): RemoteCommand {
  const body = Buffer.from(script);
  const inner = stdinScriptCommand(body.length);
  const tail = args.length ? ` sh ${args.map(shq).join(' ')}` : '';
  const command = priv.sudo ? `sudo -n -u ${shq(priv.becomeUser)} -- sh -c ${shq(inner)}${tail}` : `sh -c ${shq(inner)}${tail}`;
  return { command, stdinPrefix: body };
}
