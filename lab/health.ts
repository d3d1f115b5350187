// Is a switch usable: container up, sshd answering, systemd settled, Redis answering.
import net from 'node:net';
import { containerState, execInSwitch, type ContainerState } from './container.js';
import { sleep } from './exec.js';

/** Connects to port 22 and returns sshd's identification line, or undefined. */
export function sshBanner(address: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port: 22 });
    let data = '';
    const done = (banner?: string) => {
      socket.destroy();
      resolve(banner);
    };
    socket.setTimeout(timeoutMs, () => done());
    socket.on('error', () => done());
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const line = data.split('\r\n')[0];
      if (data.includes('\n')) done(line.startsWith('SSH-') ? line.trim() : undefined);
    });
    socket.on('close', () => done());
  });
}

/** Polls until every address answers with an SSH banner; returns the addresses that never did. */
export async function waitForSsh(addresses: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending = addresses;
  while (pending.length && Date.now() < deadline) {
    const answers = await Promise.all(pending.map((a) => sshBanner(a, 1000)));
    pending = pending.filter((_, i) => !answers[i]);
    if (pending.length) await sleep(100);
  }
  return pending;
}

export interface SwitchHealth {
  name: string;
  address: string;
  container: ContainerState;
  ssh: boolean;
  /** `systemctl is-system-running` inside the switch, e.g. running, degraded, starting. */
  system: string;
  redis: boolean;
}

export function healthy(h: SwitchHealth): boolean {
  return h.container === 'running' && h.ssh && h.system === 'running' && h.redis;
}

const PROBE_TIMEOUT_MS = 10_000;

export async function switchHealth(lab: string, sw: { name: string; address: string; pid?: number }): Promise<SwitchHealth> {
  const container = containerState(lab, sw.name, sw.pid);
  const base = { name: sw.name, address: sw.address, container };
  if (container !== 'running') return { ...base, ssh: false, system: 'offline', redis: false };
  // A probe of a switch that is shutting down can be stopped with it; a short timeout keeps a
  // status poll from waiting on it.
  const probe = (argv: string[]) => execInSwitch(lab, sw.name, argv, undefined, PROBE_TIMEOUT_MS).catch(() => undefined);
  const [banner, system, redis] = await Promise.all([
    sshBanner(sw.address),
    probe(['systemctl', 'is-system-running']),
    probe(['redis-cli', '-s', '/var/run/redis/redis.sock', 'ping']),
  ]);
  return {
    ...base,
    ssh: !!banner,
    system: system?.stdout.trim() || 'unknown',
    redis: redis?.stdout.trim() === 'PONG',
  };
}
