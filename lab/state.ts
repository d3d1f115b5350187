// The lab's record on disk: what `up` created, so that `down` removes exactly that.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { labStateDir, labStateRoot } from './paths.js';
import type { SwitchPlan } from './topology.js';

export interface SwitchRecord extends SwitchPlan {
  /** PID of the switch's supervisor (a shell that restarts nspawn when the switch reboots). */
  pid?: number;
}

export interface LabState {
  name: string;
  slot: number;
  ports: number;
  /** Multi-ASIC switches: name → number of ASIC namespaces; absent when there are none. */
  asics?: Record<string, number>;
  rootfs: string;
  bridge: string;
  bridgeAddress: string;
  subnet: string;
  inventoryDir: string;
  switches: SwitchRecord[];
}

export function stateFile(name: string): string {
  return path.join(labStateDir(name), 'state.json');
}

export function switchDir(lab: string, switchName: string): string {
  return path.join(labStateDir(lab), 'switches', switchName);
}

export function clientKeyPath(lab: string): string {
  return path.join(labStateDir(lab), 'id_ed25519');
}

export async function readState(name: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(name), 'utf8')) as LabState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Written atomically: a crash mid-write must not lose the record of what exists. */
export async function writeState(state: LabState): Promise<void> {
  const file = stateFile(state.name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}

/** Names of every lab with a record on this host. */
export function listLabs(): string[] {
  if (!existsSync(labStateRoot)) return [];
  return readdirSync(labStateRoot).filter((name) => existsSync(stateFile(name)));
}
