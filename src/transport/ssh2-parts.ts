// The two parts of ssh2 a run uses, each from its own file: the package's index also loads its
// SSH server and its HTTP agents, which bring Node's http, https and tls, a few ms of every run's
// start before its first connection, for nothing a run calls.
import Client from 'ssh2/lib/client.js';
import keyParser from 'ssh2/lib/protocol/keyParser.js';

export { Client };
export const { parseKey } = keyParser;
