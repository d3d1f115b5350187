// The lab's lifecycle: up (idempotent), down, status, exec and reboot. These are the
// functions the CLI and the end-to-end tests call.
import { existsSync } from 'node:fs';
import { readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../src/errors.js';
import { asicNamespaces, checkAsicSwitches, writeAsicLayout } from './asics.js';
import { removeSwitchCgroups, leaderPid } from './cgroups.js';
import { execInSwitch, nspawnArgs, startSwitch, stopSwitch, supervisorAlive } from './container.js';
import { mapLimit, sleep, type RunResult } from './exec.js';
import { healthy, sshBanner, switchHealth, waitForSsh, type SwitchHealth } from './health.js';
import { ensureClientKey, writeSwitchIdentity } from './identity.js';
import { recordHostDirs, removeHostDirs } from './host-dirs.js';
import { ensureInotifyBudget, restoreInotifyLimit } from './inotify.js';
import { inventoryFiles, removeInventory, writeInventory, type InventoryFiles } from './inventory.js';
import { mountSwitchRoot, removeSwitchFiles, switchRoot } from './layer.js';
import { removeTree } from './mounts.js';
import { ensureBridge, ensureSwitchNetwork, removeBridge, removeSwitchNetwork } from './network.js';
import { defaultInventoryDir, defaultLabName, labStateDir, labStateRoot } from './paths.js';
import { assertPreconditions } from './preconditions.js';
import { ensureRootfs } from './rootfs.js';
import { writeSonicLayout } from './sonic-layout.js';
import { clientKeyPath, listLabs, readState, switchDir, writeState, type LabState, type SwitchRecord } from './state.js';
import { checkCounts, checkLabName, freeSlot, planLab, type SwitchGroup } from './topology.js';

export const DEFAULT_SWITCHES = 8;
export const DEFAULT_PORTS = 8;
/** Switches prepared at once; the boots themselves all run in parallel. */
const SETUP_CONCURRENCY = 8;

export interface LabOptions {
  name?: string;
  switches?: number;
  ports?: number;
  inventoryDir?: string;
  /** Multi-ASIC switches: switch name → number of ASIC namespaces (asics.ts). */
  asics?: Record<string, number>;
  /** 'ssh' (default): return once every sshd answers; 'healthy': also wait for systemd and Redis. */
  waitFor?: 'ssh' | 'healthy';
  log?: (line: string) => void;
}

export interface LabSwitch {
  name: string;
  group: SwitchGroup;
  address: string;
  netns: string;
  hostKey: string;
  /** A multi-ASIC switch's ASIC namespaces (asic0, asic1, …). */
  asics?: string[];
}

export interface LabInfo {
  name: string;
  subnet: string;
  bridge: string;
  ports: number;
  stateDir: string;
  /** Private key accepted by root and by the `lab` user (passwordless sudo) on every switch. */
  clientKey: string;
  inventory: InventoryFiles;
  switches: LabSwitch[];
  /** Switches that were already running and were kept. */
  kept: string[];
  /** Switches that were (re)started by this call. */
  started: string[];
}

export async function labUp(opts: LabOptions = {}): Promise<LabInfo> {
  assertPreconditions();
  const log = opts.log ?? (() => undefined);
  const name = opts.name ?? defaultLabName;
  checkLabName(name);
  const prev = await readState(name);
  const count = opts.switches ?? prev?.switches.length ?? DEFAULT_SWITCHES;
  const ports = opts.ports ?? prev?.ports ?? DEFAULT_PORTS;
  checkCounts(count, ports);
  if (prev && ports !== prev.ports) {
    throw new ValidationError([
      {
        message: `lab ${name} has ${prev.ports} ports per switch, not ${ports}`,
        hint: `run \`lab down --name ${name}\` first to change the port count`,
      },
    ]);
  }
  const rootfs = prev && existsSync(prev.rootfs) ? prev.rootfs : await ensureRootfs(log);
  const otherSlots = await Promise.all(
    listLabs()
      .filter((l) => l !== name)
      .map(async (l) => (await readState(l))?.slot ?? -1),
  );
  const plan = planLab(name, prev?.slot ?? freeSlot(otherSlots), count);
  const asics = opts.asics ?? prev?.asics ?? {};
  checkAsicSwitches(
    asics,
    plan.switches.map((s) => s.name),
  );
  if (prev && !sameAsics(asics, prev.asics ?? {})) {
    throw new ValidationError([
      {
        message: `lab ${name} has ASIC namespaces ${JSON.stringify(prev.asics ?? {})}, not ${JSON.stringify(asics)}`,
        hint: `run \`lab down --name ${name}\` first to change them`,
      },
    ]);
  }

  // Switches no longer wanted go first; the record is written before anything is
  // created, so that `down` can always clean up after an interrupted `up`.
  const planned = new Set(plan.switches.map((s) => s.name));
  const dropped = (prev?.switches ?? []).filter((s) => !planned.has(s.name));
  await mapLimit(dropped, SETUP_CONCURRENCY, (s) => removeSwitch(name, s));
  const pids = new Map((prev?.switches ?? []).map((s) => [s.name, s.pid]));
  const state: LabState = {
    name,
    slot: plan.slot,
    ports,
    ...(Object.keys(asics).length ? { asics } : {}),
    rootfs,
    bridge: plan.bridge,
    bridgeAddress: plan.bridgeAddress,
    subnet: plan.subnet,
    inventoryDir: path.resolve(opts.inventoryDir ?? prev?.inventoryDir ?? defaultInventoryDir(name)),
    switches: plan.switches.map((s) => ({ ...s, pid: pids.get(s.name) })),
  };
  await recordHostDirs();
  await writeState(state);

  await ensureBridge(plan);
  const clientKey = clientKeyPath(name);
  const clientPublicKey = await ensureClientKey(clientKey, name);
  const toStart = state.switches.filter((s) => !supervisorAlive(name, s.name, s.pid));
  const announced = await ensureInotifyBudget(toStart.length);
  if (announced) log(announced);

  if (toStart.length) {
    const names = toStart.length <= 10 ? `: ${toStart.map((s) => s.name).join(', ')}` : '';
    log(`starting ${toStart.length} switch${toStart.length === 1 ? '' : 'es'}${names}`);
  }
  try {
    await mapLimit(toStart, SETUP_CONCURRENCY, async (sw) => {
      await stopSwitch(name, sw.name, undefined, 0); // leftovers of a switch that died
      await ensureSwitchNetwork(plan.bridge, sw, ports);
      const root = await mountSwitchRoot(name, sw.name, rootfs);
      await writeSwitchIdentity(root, sw.name, clientPublicKey);
      await writeSonicLayout(root, ports);
      if (asics[sw.name]) await writeAsicLayout(root, asics[sw.name]!, ports);
      sw.pid = await startSwitch(name, sw.name, nspawnArgs(root, sw.name, sw.netns));
    });
  } finally {
    await writeState(state); // the supervisors started so far, even if one failed
  }

  const unreachable = await waitForSsh(
    state.switches.map((s) => s.address),
    30_000 + 500 * toStart.length,
  );
  if (unreachable.length) {
    const names = state.switches.filter((s) => unreachable.includes(s.address)).map((s) => s.name);
    throw new Error(
      `switches not accepting SSH: ${names.join(', ')}; their console logs are ${path.join(labStateDir(name), 'switches', '<switch>', 'console.log')}`,
    );
  }
  if (opts.waitFor === 'healthy') await waitHealthy(name, 60_000);

  const switches = await Promise.all(
    state.switches.map(async (s) => ({ ...describe(s, asics[s.name]), hostKey: await hostKey(name, s.name) })),
  );
  const inventory = await writeInventory(state.inventoryDir, name, clientKey, switches);
  return {
    name,
    subnet: state.subnet,
    bridge: state.bridge,
    ports,
    stateDir: labStateDir(name),
    clientKey,
    inventory,
    switches,
    kept: state.switches.filter((s) => !toStart.includes(s)).map((s) => s.name),
    started: toStart.map((s) => s.name),
  };
}

function describe(s: SwitchRecord, asics: number | undefined): Omit<LabSwitch, 'hostKey'> {
  return { name: s.name, group: s.group, address: s.address, netns: s.netns, ...(asics ? { asics: asicNamespaces(asics) } : {}) };
}

function sameAsics(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

async function hostKey(lab: string, switchName: string): Promise<string> {
  const pub = await readFile(path.join(switchRoot(lab, switchName), 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8');
  return pub.trim().split(/\s+/).slice(0, 2).join(' ');
}

/** Polls status until every switch is healthy; throws with the unhealthy ones at the deadline. */
export async function waitHealthy(name: string, timeoutMs: number): Promise<SwitchHealth[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await labStatus(name);
    const bad = status.filter((h) => !healthy(h));
    if (!bad.length) return status;
    if (Date.now() > deadline) {
      throw new Error(
        `unhealthy switches: ${bad.map((h) => `${h.name} (${h.container}, ssh ${h.ssh}, ${h.system}, redis ${h.redis})`).join('; ')}`,
      );
    }
    await sleep(250);
  }
}

async function removeSwitch(lab: string, sw: SwitchRecord): Promise<void> {
  await stopSwitch(lab, sw.name, sw.pid);
  await removeSwitchCgroups(lab, sw.name);
  await removeSwitchFiles(lab, sw.name);
  await removeSwitchNetwork(sw);
}

/** Removes everything the lab created; returns lines to print. Returns [] when there is no such lab. */
export async function labDown(name: string = defaultLabName): Promise<string[]> {
  assertPreconditions();
  checkLabName(name);
  const state = await readState(name);
  if (!state) return [];
  const lines: string[] = [];
  // Power every switch off at once, then clean up.
  await Promise.all(state.switches.map((s) => stopSwitch(name, s.name, s.pid)));
  await mapLimit(state.switches, SETUP_CONCURRENCY, (s) => removeSwitch(name, s));
  await removeBridge(state.bridge);
  await removeInventory(state.inventoryDir);
  await removeTree(labStateDir(name));
  lines.push(
    `lab ${name} removed: ${state.switches.length} switches, bridge ${state.bridge}, inventory ${inventoryFiles(state.inventoryDir).hostsFile}`,
  );
  if (!listLabs().length) {
    const restored = await restoreInotifyLimit();
    if (restored) lines.push(restored);
    await removeHostDirs();
    for (const dir of [labStateRoot, path.dirname(labStateRoot)]) await rmdir(dir).catch(() => undefined);
  }
  return lines;
}

export async function labStatus(name: string = defaultLabName): Promise<SwitchHealth[]> {
  assertPreconditions();
  checkLabName(name);
  const state = await readState(name);
  if (!state) throw new Error(`there is no lab named ${name}; start one with \`lab up --name ${name}\``);
  return mapLimit(state.switches, SETUP_CONCURRENCY, (s) => switchHealth(name, s));
}

async function switchRecord(lab: string, switchName: string): Promise<SwitchRecord> {
  const state = await readState(lab);
  const sw = state?.switches.find((s) => s.name === switchName);
  if (!sw) {
    const known = state ? state.switches.map((s) => s.name).join(', ') : 'none (the lab is not up)';
    throw new ValidationError([{ message: `lab ${lab} has no switch named "${switchName}"`, hint: `switches: ${known}` }]);
  }
  return sw;
}

/** Runs argv as root inside a running switch (all its namespaces; no SSH involved). */
export async function switchExec(name: string, switchName: string, argv: string[], input?: string): Promise<RunResult> {
  await switchRecord(name, switchName);
  return execInSwitch(name, switchName, argv, input);
}

/**
 * Reboots one switch the way an operator would (`systemctl reboot` inside it), then waits
 * until it is healthy again. Its writable layer survives, as a real disk does; the
 * emulated kernel knobs return to their defaults, as real ones do.
 */
export async function labReboot(name: string, switchName: string, timeoutMs = 60_000): Promise<SwitchHealth> {
  const sw = await switchRecord(name, switchName);
  const before = leaderPid(name, switchName);
  if (!before) throw new Error(`switch ${switchName} is not running`);
  await execInSwitch(name, switchName, ['systemctl', 'reboot']).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = leaderPid(name, switchName);
    if (leader && leader !== before && (await sshBanner(sw.address, 500))) {
      const health = await switchHealth(name, sw);
      if (healthy(health)) return health;
    }
    if (Date.now() > deadline)
      throw new Error(
        `switch ${switchName} did not come back within ${timeoutMs / 1000} s; see ${path.join(switchDir(name, switchName), 'console.log')}`,
      );
    await sleep(200);
  }
}
