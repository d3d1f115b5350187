// A run's hosts may be connected to while it still loads and prepares, but logged in to only
// once every task is prepared: until the gate opens, an SSH connection stops after the handshake
// and the host key check, so a run that ends at bad input logs in nowhere (sshd records a
// disconnect before authentication, no login).
export class LoginGate {
  private release!: () => void;
  /** Resolves when the run may log in to its hosts. */
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));

  open(): void {
    this.release();
  }
}
