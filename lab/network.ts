// Lab networking: one bridge in the host namespace, and per switch a network namespace
// with an uplink veth to that bridge and veth pairs as front-panel ports.
import { existsSync } from 'node:fs';
import { run, runOk } from './exec.js';
import { portNames, portPeer, UPLINK, type LabPlan, type SwitchPlan } from './topology.js';

/** Queues per port direction: gives each port several IRQs and RPS masks, as on a NIC. */
export const PORT_QUEUES = 2;

async function linkExists(name: string, netns?: string): Promise<boolean> {
  const argv = netns ? ['ip', '-n', netns, 'link', 'show', name] : ['ip', 'link', 'show', name];
  return (await run(argv)).code === 0;
}

export async function ensureBridge(lab: Pick<LabPlan, 'bridge' | 'bridgeAddress'>): Promise<void> {
  if (!(await linkExists(lab.bridge))) await runOk(['ip', 'link', 'add', lab.bridge, 'type', 'bridge']);
  const addrs = await runOk(['ip', '-br', 'addr', 'show', 'dev', lab.bridge]);
  if (!addrs.includes(`${lab.bridgeAddress}/24`)) {
    await runOk(['ip', 'addr', 'add', `${lab.bridgeAddress}/24`, 'dev', lab.bridge]);
  }
  await runOk(['ip', 'link', 'set', lab.bridge, 'up']);
}

export async function removeBridge(bridge: string): Promise<void> {
  if (await linkExists(bridge)) await runOk(['ip', 'link', 'del', bridge]);
}

/** Creates whatever part of the switch's namespace, uplink and ports is missing. */
export async function ensureSwitchNetwork(bridge: string, sw: SwitchPlan, ports: number): Promise<void> {
  if (!existsSync(`/run/netns/${sw.netns}`)) await runOk(['ip', 'netns', 'add', sw.netns]);
  const present = new Set(
    (await runOk(['ip', '-n', sw.netns, '-o', 'link', 'show'])).split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0]),
  );
  if (!present.has(UPLINK)) {
    if (await linkExists(sw.hostVeth)) await runOk(['ip', 'link', 'del', sw.hostVeth]);
    await runOk(['ip', 'link', 'add', sw.hostVeth, 'type', 'veth', 'peer', 'name', UPLINK, 'netns', sw.netns]);
  }
  await runOk(['ip', 'link', 'set', sw.hostVeth, 'master', bridge, 'up']);

  const q = ['numtxqueues', String(PORT_QUEUES), 'numrxqueues', String(PORT_QUEUES)];
  const batch: string[] = [];
  for (const port of portNames(ports)) {
    if (present.has(port)) continue;
    batch.push(`link add ${port} ${q.join(' ')} type veth peer name ${portPeer(port)} ${q.join(' ')}`);
    batch.push(`link set ${portPeer(port)} up`, `link set ${port} up`);
  }
  const addrs = await runOk(['ip', '-n', sw.netns, '-br', 'addr', 'show', 'dev', UPLINK]);
  if (!addrs.includes(`${sw.address}/24`)) batch.push(`addr add ${sw.address}/24 dev ${UPLINK}`);
  batch.push('link set lo up', `link set ${UPLINK} up`);
  await runOk(['ip', '-n', sw.netns, '-batch', '-'], { input: batch.join('\n') + '\n' });
}

/**
 * Deleting the namespace deletes the ports and the uplink; the kernel removes the uplink's
 * host end shortly after, so that one may vanish between our check and our delete.
 */
export async function removeSwitchNetwork(sw: SwitchPlan): Promise<void> {
  if (existsSync(`/run/netns/${sw.netns}`)) await runOk(['ip', 'netns', 'del', sw.netns]);
  const del = await run(['ip', 'link', 'del', sw.hostVeth]);
  if (del.code !== 0 && (await linkExists(sw.hostVeth))) throw new Error(`cannot delete ${sw.hostVeth}: ${del.stderr.trim()}`);
}
