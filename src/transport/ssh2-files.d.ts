// Types of the two ssh2 files the SSH transport loads by their paths (src/transport/ssh2-parts.ts):
// the package's own types describe its index only.
declare module 'ssh2/lib/client.js' {
  import type { Client } from 'ssh2';
  const ClientClass: typeof Client;
  export default ClientClass;
}

declare module 'ssh2/lib/protocol/keyParser.js' {
  import type { utils } from 'ssh2';
  const keyParser: { parseKey: typeof utils.parseKey };
  export default keyParser;
}
