// Numeric constants from <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if.h>.
export const NLMSG_HDRLEN = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_MULTI = 0x2;
export const NLM_F_DUMP_INTR = 0x10;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const IFINFOMSG_LEN = 16;
export const AF_BRIDGE = 7;

export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_MASTER = 10;
export const IFLA_LINKINFO = 18;
export const IFLA_INFO_KIND = 1;
export const NLA_TYPE_MASK = 0x3fff; // strips NLA_F_NESTED / NLA_F_NET_BYTEORDER

export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;

export const ENOBUFS = 105;
export const EAGAIN = 11;
