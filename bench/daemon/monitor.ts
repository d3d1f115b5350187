// Independent count of the link events the kernel multicasts in a network
// namespace: its own RTNLGRP_LINK socket (64 MiB, forced), separate from the
// daemon's. Run inside the namespace; prints "<events> <overflows>" every 10 ms
// and exits when stdin closes. AF_BRIDGE port notifications are not counted,
// as the daemon does not count them as link events either.
import { AF_BRIDGE, RTM_DELLINK, RTM_NEWLINK } from '../../daemon/src/netlink/constants.js';
import { parseMessages } from '../../daemon/src/netlink/parse.js';
import { NetlinkSocket } from '../../daemon/src/netlink/socket.js';

const nl = new NetlinkSocket({ rcvbufBytes: 64 << 20, force: true, readBufferBytes: 1 << 20 });
let events = 0;
let overflows = 0;
nl.start(() =>
  nl.drain((b) => {
    if (b.overflow) overflows++;
    for (const m of parseMessages(b.buf, b.bytes)) {
      if (m.kind === 'link' && (m.type === RTM_NEWLINK || m.type === RTM_DELLINK) && m.pid !== nl.portId && m.link.family !== AF_BRIDGE)
        events++;
    }
  }),
);
let last = '';
const report = setInterval(() => {
  const line = `${events} ${overflows}\n`;
  if (line !== last) process.stdout.write(line);
  last = line;
}, 10);
process.stdout.write('0 0\n');
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(report);
  process.stdout.write(`${events} ${overflows}\n`);
  nl.close();
});
