// A unix datagram socket standing in for systemd's NOTIFY_SOCKET (python3's
// socket module; Node has no datagram unix sockets). '@name' is abstract.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Netns } from './env.js';

const SCRIPT = `
import socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + p[1:] if p.startswith('@') else p)
print('bound', flush=True)
while True:
    print(s.recv(4096).decode(), flush=True)
`;

export class NotifyListener {
  readonly messages: string[] = [];
  private readonly proc: ChildProcess;
  readonly bound: Promise<void>;
  constructor(
    readonly address: string,
    ns?: Netns,
  ) {
    const argv = ['python3', '-c', SCRIPT, address];
    this.proc = ns ? ns.spawn(argv) : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.bound = new Promise((resolve) => {
      this.proc.stdout!.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n').filter(Boolean)) {
          if (line === 'bound') resolve();
          else this.messages.push(line);
        }
      });
    });
  }
  stop(): void {
    this.proc.kill('SIGKILL');
  }
}
