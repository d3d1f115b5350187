// Builds netlink messages as the kernel lays them out, for parser and tracker tests.
export interface LinkSpec {
  type?: number; // RTM_NEWLINK (16) or RTM_DELLINK (17)
  seq?: number;
  pid?: number;
  nlFlags?: number;
  family?: number;
  ifindex: number;
  flags?: number; // IFF_*
  name?: string;
  mtu?: number;
  master?: number;
  kind?: string;
}

function attr(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, 4);
  return out;
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

function message(type: number, nlFlags: number, seq: number, pid: number, body: Buffer): Buffer {
  const out = Buffer.alloc(16 + body.length);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(nlFlags, 6);
  out.writeUInt32LE(seq, 8);
  out.writeUInt32LE(pid, 12);
  body.copy(out, 16);
  return out;
}

export function link(s: LinkSpec): Buffer {
  const ifi = Buffer.alloc(16);
  ifi.writeUInt8(s.family ?? 0, 0);
  ifi.writeInt32LE(s.ifindex, 4);
  ifi.writeUInt32LE(s.flags ?? 0, 8);
  const attrs: Buffer[] = [];
  if (s.name !== undefined) attrs.push(attr(3, Buffer.from(s.name + '\0', 'latin1')));
  if (s.mtu !== undefined) attrs.push(attr(4, u32(s.mtu)));
  if (s.master !== undefined) attrs.push(attr(10, u32(s.master)));
  if (s.kind !== undefined) attrs.push(attr(18 | 0x8000, attr(1, Buffer.from(s.kind + '\0', 'latin1'))));
  return message(s.type ?? 16, s.nlFlags ?? 0, s.seq ?? 0, s.pid ?? 0, Buffer.concat([ifi, ...attrs]));
}

export function done(seq: number, pid: number, nlFlags = 2): Buffer {
  return message(3, nlFlags, seq, pid, u32(0));
}

export function error(seq: number, pid: number, errno: number): Buffer {
  const body = Buffer.alloc(20);
  body.writeInt32LE(-errno, 0);
  return message(2, 0, seq, pid, body);
}

export const UP = 0x1;
export const RUNNING = 0x40;
