// The only way modules and the engine reach a host. Kept small so every transport is easy to add.

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** stdout's bytes as they came (stdout is their UTF-8 reading): a gather's output holds any bytes. */
  raw?: Buffer;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Called with the script's stdout as it arrives (the result still holds all of it). */
  onStdout?: (chunk: Buffer) => void;
}

export interface Transport {
  readonly name: string;
  /** Prefix for every path on the target ('' except for chroot, where it is the chroot dir). */
  readonly root: string;
  /** True when the root is not a running system: live ops (sysctl -w, systemctl) are skipped. */
  readonly offline: boolean;
  /** Round trips made so far (each exec or transfer counts one). */
  readonly roundTrips: number;
  /** Bytes uploaded so far by `upload`. */
  readonly bytesUploaded: number;
  connect(): Promise<void>;
  /** Run a POSIX shell script (sh -c) on the target. */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Stream a local file to the target atomically (temp file in the same folder, fsync, rename). */
  upload(localPath: string, remotePath: string, mode?: string): Promise<void>;
  close(): Promise<void>;
}
