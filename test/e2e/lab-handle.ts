// The lab shared by every end-to-end suite. Suites register their tests when the file
// loads, before the lab exists, so they get this handle and read `info` inside tests.
import type { LabInfo, LabSwitch } from '../../lab/lab.js';

export class E2eLab {
  #info?: LabInfo;

  constructor(readonly name: string) {}

  set info(info: LabInfo) {
    this.#info = info;
  }

  get info(): LabInfo {
    if (!this.#info) throw new Error(`lab ${this.name} is not up (its before hook failed)`);
    return this.#info;
  }

  switch(name: string): LabSwitch {
    const sw = this.info.switches.find((s) => s.name === name);
    if (!sw) throw new Error(`lab ${this.name} has no switch ${name}`);
    return sw;
  }

  /** OpenSSH client arguments for a switch, checking host keys strictly against knownHostsFile. */
  sshArgs(switchName: string, opts: { user?: string; knownHostsFile?: string } = {}): string[] {
    return [
      '-i',
      this.info.clientKey,
      '-o',
      `UserKnownHostsFile=${opts.knownHostsFile ?? this.info.inventory.knownHostsFile}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=5',
      `${opts.user ?? 'root'}@${this.switch(switchName).address}`,
    ];
  }
}

export type LabSuite = (lab: E2eLab) => void;
