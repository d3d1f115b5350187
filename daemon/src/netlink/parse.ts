// Netlink bytes -> messages. Pure, and total: malformed input yields a
// 'malformed' entry and stops parsing the rest of the buffer, never throws.
import * as C from './constants.js';
export { IFF_RUNNING, IFF_UP } from './constants.js';

export interface Link {
  family: number;
  ifindex: number;
  flags: number;
  name?: string;
  mtu?: number;
  master?: number;
  kind?: string;
}

export type NlMessage =
  | { kind: 'link'; type: typeof C.RTM_NEWLINK | typeof C.RTM_DELLINK; seq: number; pid: number; nlFlags: number; link: Link }
  | { kind: 'done'; seq: number; pid: number; nlFlags: number }
  | { kind: 'error'; seq: number; pid: number; errno: number }
  | { kind: 'overrun' }
  | { kind: 'other'; type: number }
  | { kind: 'malformed'; reason: string };

/** Parses `len` bytes of `buf` holding whole netlink messages, 4-byte aligned. */
export function parseMessages(buf: Buffer, len: number = buf.length): NlMessage[] {
  const out: NlMessage[] = [];
  const end = Math.min(len, buf.length);
  let off = 0;
  while (off + C.NLMSG_HDRLEN <= end) {
    const msgLen = buf.readUInt32LE(off);
    if (msgLen === 0 && isZeroTail(buf, off, end)) break; // alignment padding
    if (msgLen < C.NLMSG_HDRLEN || off + msgLen > end) {
      out.push({ kind: 'malformed', reason: `message length ${msgLen} at offset ${off} exceeds ${end - off} bytes` });
      return out;
    }
    const type = buf.readUInt16LE(off + 4);
    const nlFlags = buf.readUInt16LE(off + 6);
    const seq = buf.readUInt32LE(off + 8);
    const pid = buf.readUInt32LE(off + 12);
    const body = off + C.NLMSG_HDRLEN;
    const next = off + align4(msgLen);
    if (type === C.RTM_NEWLINK || type === C.RTM_DELLINK) {
      const link = parseLink(buf, body, off + msgLen);
      out.push(link ? { kind: 'link', type, seq, pid, nlFlags, link } : { kind: 'malformed', reason: `short ifinfomsg at offset ${off}` });
    } else if (type === C.NLMSG_DONE) {
      out.push({ kind: 'done', seq, pid, nlFlags });
    } else if (type === C.NLMSG_ERROR) {
      const errno = msgLen >= C.NLMSG_HDRLEN + 4 ? -buf.readInt32LE(body) : 0;
      out.push({ kind: 'error', seq, pid, errno });
    } else if (type === C.NLMSG_OVERRUN) {
      out.push({ kind: 'overrun' });
    } else {
      out.push({ kind: 'other', type });
    }
    off = next;
  }
  if (off < end && !isZeroTail(buf, off, end)) out.push({ kind: 'malformed', reason: `${end - off} trailing bytes` });
  return out;
}

function parseLink(buf: Buffer, start: number, end: number): Link | undefined {
  if (start + C.IFINFOMSG_LEN > end) return undefined;
  const link: Link = {
    family: buf.readUInt8(start),
    ifindex: buf.readInt32LE(start + 4),
    flags: buf.readUInt32LE(start + 8),
  };
  let off = start + C.IFINFOMSG_LEN;
  while (off + 4 <= end) {
    const attrLen = buf.readUInt16LE(off);
    if (attrLen < 4 || off + attrLen > end) break; // a bad attribute ends the list; what was read stays
    const type = buf.readUInt16LE(off + 2) & C.NLA_TYPE_MASK;
    const data = off + 4;
    const dataEnd = off + attrLen;
    if (type === C.IFLA_IFNAME) link.name = cString(buf, data, dataEnd);
    else if (type === C.IFLA_MTU && attrLen >= 8) link.mtu = buf.readUInt32LE(data);
    else if (type === C.IFLA_MASTER && attrLen >= 8) link.master = buf.readUInt32LE(data);
    else if (type === C.IFLA_LINKINFO) link.kind = infoKind(buf, data, dataEnd);
    off += align4(attrLen);
  }
  return link;
}

function infoKind(buf: Buffer, start: number, end: number): string | undefined {
  let off = start;
  while (off + 4 <= end) {
    const attrLen = buf.readUInt16LE(off);
    if (attrLen < 4 || off + attrLen > end) return undefined;
    if ((buf.readUInt16LE(off + 2) & C.NLA_TYPE_MASK) === C.IFLA_INFO_KIND) return cString(buf, off + 4, off + attrLen);
    off += align4(attrLen);
  }
  return undefined;
}

function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('latin1', start, nul >= 0 && nul < end ? nul : end);
}

function isZeroTail(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

export function align4(n: number): number {
  return (n + 3) & ~3;
}
