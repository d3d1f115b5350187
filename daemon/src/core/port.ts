// Which links count as ports, and how a port's state maps to SONiC fields.
import { IFF_RUNNING, IFF_UP, type Link } from '../netlink/parse.js';
export { IFF_RUNNING, IFF_UP };

export interface PortState {
  name: string;
  ifindex: number;
  admin: boolean; // IFF_UP
  oper: boolean; // IFF_RUNNING
  mtu: number;
}

const PORT_PREFIXES = ['Ethernet', 'PortChannel'];

export function isPortName(name: string): boolean {
  return PORT_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length);
}

// Team devices belong to teamsyncd in SONiC; only Ethernet and PortChannel names count.
export function countsAsPort(link: Link): link is Link & { name: string } {
  return link.name !== undefined && link.kind !== 'team' && isPortName(link.name);
}

export function portFromLink(link: Link & { name: string }, previous?: PortState): PortState {
  return {
    name: link.name,
    ifindex: link.ifindex,
    admin: (link.flags & IFF_UP) !== 0,
    oper: (link.flags & IFF_RUNNING) !== 0,
    mtu: link.mtu ?? previous?.mtu ?? 0,
  };
}

export function samePort(a: PortState | undefined, b: PortState): boolean {
  return a !== undefined && a.ifindex === b.ifindex && a.admin === b.admin && a.oper === b.oper && a.mtu === b.mtu;
}

/** STATE_DB PORT_TABLE|<name> hash fields. */
export function stateDbFields(p: PortState): Record<string, string> {
  return {
    state: 'ok',
    netdev_oper_status: p.oper ? 'up' : 'down',
    admin_status: p.admin ? 'up' : 'down',
    mtu: String(p.mtu),
  };
}
