// The lab's shape: switch names, groups, addresses and interface names. Pure, so that
// every name and address is stable for a given (lab, switch) whatever the lab's size.
import { ValidationError } from '../src/errors.js';

export type SwitchGroup = 'spine' | 'leaf';

export interface SwitchPlan {
  name: string;
  group: SwitchGroup;
  address: string;
  /** Network namespace, as in /run/netns/<netns>. */
  netns: string;
  /** Host end of the switch's uplink veth, enslaved to the lab bridge. */
  hostVeth: string;
}

export interface LabPlan {
  name: string;
  slot: number;
  bridge: string;
  bridgeAddress: string;
  subnet: string;
  switches: SwitchPlan[];
}

/** Every lab gets one /24 of this /16; a lab's slot picks the third octet. */
export const LAB_SUPERNET = '10.213.0.0/16';
export const MAX_SLOTS = 256;
const MAX_SPINES = 60; // spines use .2 - .61
const MAX_LEAVES = 193; // leaves use .62 - .254
export const MAX_SWITCHES = 240;
export const MAX_PORTS = 64;
/** The switch's uplink inside its namespace. */
export const UPLINK = 'eth0';

const LAB_NAME = /^[a-z][a-z0-9]{0,7}$/;

export function checkLabName(name: string): void {
  if (!LAB_NAME.test(name)) {
    throw new ValidationError([
      {
        message: `lab name "${name}" is not allowed`,
        hint: 'use 1 to 8 lowercase letters or digits, starting with a letter (it becomes part of interface names, which the kernel limits to 15 characters)',
      },
    ]);
  }
}

export function checkCounts(switches: number, ports: number): void {
  const problems = [];
  if (!Number.isInteger(switches) || switches < 1 || switches > MAX_SWITCHES) {
    problems.push({ message: `--switches ${switches} is out of range`, hint: `use a whole number from 1 to ${MAX_SWITCHES}` });
  }
  if (!Number.isInteger(ports) || ports < 1 || ports > MAX_PORTS) {
    problems.push({ message: `--ports ${ports} is out of range`, hint: `use a whole number from 1 to ${MAX_PORTS}` });
  }
  if (problems.length) throw new ValidationError(problems);
}

/** A quarter of the fabric are spines (at least one once there are two switches). */
export function spineCount(switches: number): number {
  return switches < 2 ? 0 : Math.max(1, Math.floor(switches / 4));
}

export function planLab(name: string, slot: number, switches: number): LabPlan {
  checkLabName(name);
  const net = `10.213.${slot}`;
  const spines = spineCount(switches);
  const leaves = switches - spines;
  if (spines > MAX_SPINES || leaves > MAX_LEAVES) throw new Error(`a lab holds at most ${MAX_SWITCHES} switches`);
  const plan = (group: SwitchGroup, k: number, hostOctet: number): SwitchPlan => {
    const switchName = `${group}${k}`;
    return {
      name: switchName,
      group,
      address: `${net}.${hostOctet}`,
      netns: `${name}-${switchName}`,
      hostVeth: `ps${name}-${group[0]}${k}`,
    };
  };
  return {
    name,
    slot,
    bridge: `psbr-${name}`,
    bridgeAddress: `${net}.1`,
    subnet: `${net}.0/24`,
    switches: [
      ...Array.from({ length: spines }, (_, i) => plan('spine', i + 1, 2 + i)),
      ...Array.from({ length: leaves }, (_, i) => plan('leaf', i + 1, 62 + i)),
    ],
  };
}

/** SONiC port names: Ethernet0, Ethernet4, ... (four lanes per port). */
export function portNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `Ethernet${i * 4}`);
}

/** The far end of a port's veth; its name must not start with "Ethernet", or it would count as a port. */
export function portPeer(port: string): string {
  return port.replace(/^Ethernet/, 'wire');
}

/** Lowest slot not used by another lab. */
export function freeSlot(used: number[]): number {
  for (let slot = 0; slot < MAX_SLOTS; slot++) if (!used.includes(slot)) return slot;
  throw new Error(`all ${MAX_SLOTS} lab subnets in ${LAB_SUPERNET} are in use`);
}
