// Host key policy over a known_hosts file: strict by default, trust-on-first-use when asked.
// One store per file for the whole run, so 50 hosts read it once and append through one queue.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  checkHostKey,
  fingerprint,
  formatKnownHostsLine,
  keyBlobType,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  type KnownHostsFile,
} from './known-hosts.js';

export interface HostKeyTarget {
  /** How messages name the host, e.g. `sw1 (10.0.0.1:22)` or `jump host admin@bastion:22`. */
  label: string;
  host: string;
  port: number;
}

export type HostKeyDecision = { ok: true; note?: string } | { ok: false; message: string };

const stores = new Map<string, KnownHostsStore>();

export class KnownHostsStore {
  private file?: Promise<KnownHostsFile>;
  /** Appends run one after another; each re-checks the file as it stands. */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly filePath: string,
    private readonly log: (msg: string) => void,
  ) {}

  static for(filePath: string, log: (msg: string) => void = () => {}): KnownHostsStore {
    const abs = path.resolve(filePath);
    let store = stores.get(abs);
    if (!store) stores.set(abs, (store = new KnownHostsStore(abs, log)));
    return store;
  }

  /** Forget every store, so a later run (or test) re-reads the files. */
  static reset(): void {
    stores.clear();
  }

  load(): Promise<KnownHostsFile> {
    // The executor runs now: the file is read at once, a failure still rejects.
    this.file ??= new Promise((resolve) => resolve(this.read()));
    return this.file;
  }

  /** Read at once (a small file, once per run), so a connection's first packet leaves without
   *  waiting for a turn of the event loop that a run still loading would not give. */
  private read(): KnownHostsFile {
    let text = '';
    try {
      text = readFileSync(this.filePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const parsed = parseKnownHosts(text);
    for (const s of parsed.skipped) this.log(`${this.filePath}:${s.line}: line ignored: ${s.reason}`);
    const cas = parsed.entries.filter((e) => e.marker === 'cert-authority').map((e) => e.line);
    if (cas.length) this.log(`${this.filePath}: @cert-authority lines (${cas.join(', ')}) are ignored; host certificates are not checked`);
    return parsed;
  }

  async preferredKeyTypes(host: string, port: number): Promise<string[]> {
    return knownKeyTypes(await this.load(), host, port);
  }

  /** `beforeRecord`: what a key seen for the first time waits for before it is recorded. */
  async verify(target: HostKeyTarget, key: Buffer, acceptNew: boolean, beforeRecord?: () => Promise<unknown>): Promise<HostKeyDecision> {
    const verdict = checkHostKey(await this.load(), target.host, target.port, key);
    switch (verdict.status) {
      case 'known':
        return { ok: true };
      case 'revoked':
        return {
          ok: false,
          message:
            `host key for ${target.label} (${keyBlobType(key)} ${fingerprint(key)}) is marked @revoked ` +
            `in ${this.filePath} line ${verdict.entry.line}; refusing to connect`,
        };
      case 'changed':
        return { ok: false, message: this.changedMessage(target, key, verdict.entries) };
      case 'unknown':
        if (!acceptNew) return { ok: false, message: this.unknownMessage(target, key, verdict.otherTypes) };
        await beforeRecord?.();
        return this.enqueueAppend(target, key);
    }
  }

  private enqueueAppend(target: HostKeyTarget, key: Buffer): Promise<HostKeyDecision> {
    const run = this.writes.then(() => this.append(target, key));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async append(target: HostKeyTarget, key: Buffer): Promise<HostKeyDecision> {
    const file = await this.load();
    // Another connection to the same host may have recorded a key while this one waited.
    const again = checkHostKey(file, target.host, target.port, key);
    if (again.status === 'known') return { ok: true };
    if (again.status !== 'unknown') return this.verify(target, key, false);

    const line = formatKnownHostsLine(target.host, target.port, key);
    await fs.mkdir(path.dirname(this.filePath), { recursive: true, mode: 0o700 });
    const fh = await fs.open(this.filePath, 'a+', 0o600);
    let lineNo: number;
    try {
      const text = await fh.readFile('utf8');
      const lead = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
      // One write() of an O_APPEND file: a whole line or nothing.
      await fh.write(`${lead}${line}\n`);
      await fh.sync();
      lineNo = (text + lead).split('\n').length;
    } finally {
      await fh.close();
    }
    file.entries.push(...parseKnownHosts(line).entries.map((e) => ({ ...e, line: lineNo })));
    const note = `added host key for ${target.label} (${keyBlobType(key)} ${fingerprint(key)}) to ${this.filePath} as ${knownHostsName(target.host, target.port)}`;
    this.log(note);
    return { ok: true, note };
  }

  private unknownMessage(target: HostKeyTarget, key: Buffer, otherTypes: string[]): string {
    const name = knownHostsName(target.host, target.port);
    const others = otherTypes.length ? ` (the file has ${otherTypes.join(', ')} keys for it, not ${keyBlobType(key)})` : '';
    return (
      `host key for ${target.label} is not known: ${keyBlobType(key)} ${fingerprint(key)} is not in ${this.filePath}${others}. ` +
      `Check the fingerprint out of band, then add it (ssh-keyscan -p ${target.port} ${target.host}, recorded as ${name}), ` +
      `or run with --accept-new-host-keys to trust keys of hosts seen for the first time`
    );
  }

  private changedMessage(target: HostKeyTarget, key: Buffer, old: { line: number; key: Buffer }[]): string {
    const name = knownHostsName(target.host, target.port);
    return [
      `@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${target.label} @@@`,
      `It presented ${keyBlobType(key)} ${fingerprint(key)}; ${this.filePath} records ` +
        old.map((o) => `${fingerprint(o.key)} at line ${o.line}`).join(', ') +
        '.',
      'Someone could be intercepting this connection (man-in-the-middle), or the host key was replaced.',
      `If the change is expected, remove the old entry (ssh-keygen -R '${name}' -f ${this.filePath}) and connect again; ` +
        '--accept-new-host-keys does not accept changed keys.',
    ].join('\n');
  }
}
