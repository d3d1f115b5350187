// After login, OpenSSH's sshd announces every host key it holds (`hostkeys-00@openssh.com`), for
// a client that updates its known_hosts from them (OpenSSH's UpdateHostKeys). ssh2 answers each
// announcement by asking the server to prove it holds those keys: a signature per host key on the
// switch (an RSA key's is the dear one) and a key parse and signature check per key here, on
// every connection. A run never learns keys that way (known_hosts is the operator's to keep), so
// the announcement is taken as read and no proof is asked for.
import type { Client } from 'ssh2';

type GlobalRequestHandler = (protocol: { requestSuccess(): void }, name: string, wantReply: boolean, data: unknown) => void;

/** ssh2 keeps its client's message handlers on the connection's protocol object, made by connect(). */
interface ProtocolHandlers {
  _protocol?: { _handlers?: { GLOBAL_REQUEST?: GlobalRequestHandler } };
}

/** Call right after `client.connect(…)`, before any packet is read. */
export function skipHostKeysProof(client: Client): void {
  const handlers = (client as unknown as ProtocolHandlers)._protocol?._handlers;
  const handle = handlers?.GLOBAL_REQUEST;
  if (!handlers || !handle) return;
  handlers.GLOBAL_REQUEST = (protocol, name, wantReply, data) => {
    if (name !== 'hostkeys-00@openssh.com') return handle(protocol, name, wantReply, data);
    if (wantReply) protocol.requestSuccess();
  };
}
