// sd_notify(3) over $NOTIFY_SOCKET, and the watchdog keep-alive at half of
// $WATCHDOG_USEC.
export type Notify = (socketPath: string, message: string) => number;

export class SystemdNotifier {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly notify: Notify,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  send(message: string): number {
    const socket = this.env.NOTIFY_SOCKET;
    return socket ? this.notify(socket, message) : 0;
  }

  /** The keep-alive period in ms, when systemd asks for one for this process. */
  watchdogIntervalMs(): number | undefined {
    const usec = Number(this.env.WATCHDOG_USEC);
    if (!Number.isFinite(usec) || usec <= 0) return undefined;
    const pid = this.env.WATCHDOG_PID;
    if (pid && Number(pid) !== process.pid) return undefined;
    return Math.max(1, Math.floor(usec / 2000));
  }

  startWatchdog(): void {
    const ms = this.watchdogIntervalMs();
    if (ms === undefined || this.timer) return;
    this.timer = setInterval(() => this.send('WATCHDOG=1'), ms);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
