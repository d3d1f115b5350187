// SSH connection settings resolved from host vars: the tool's own names first, Ansible's accepted as aliases.
import { splitWords } from '../script/words.js';
import os from 'node:os';
import path from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import { secrets } from '../secrets/redact.js';

export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
}

export interface SshOptions extends SshEndpoint {
  /** Inventory name, used in every message. */
  hostName: string;
  /** Explicit key file; when absent the default identities (~/.ssh/id_*) are tried. */
  privateKeyFile?: string;
  knownHostsFile: string;
  jump?: SshEndpoint;
  become: boolean;
  becomeUser: string;
  /** sudo's password; without one, sudo must not ask (`sudo -n`). */
  becomePassword?: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  connectRetries: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

/** What resolution may not read from the process itself, so the function stays pure. */
export interface SshDefaults {
  user: string;
  home: string;
}

/** The process's user name, read from the user database once: os.userInfo() reads it on every
 *  call, and every host's settings are resolved with it. */
let processUser: string | undefined;

export function localDefaults(): SshDefaults {
  return { user: (processUser ??= os.userInfo().username), home: os.homedir() };
}

type Vars = Record<string, unknown>;

/** Each setting with the var names that set it, in order of precedence. */
const NAMES = {
  host: ['host', 'ansible_host', 'ansible_ssh_host'],
  port: ['port', 'ansible_port', 'ansible_ssh_port'],
  user: ['user', 'ansible_user', 'ansible_ssh_user'],
  privateKeyFile: ['private_key_file', 'ansible_ssh_private_key_file', 'ansible_private_key_file'],
  knownHostsFile: ['known_hosts_file'],
  jumpHost: ['jump_host'],
  commonArgs: ['ansible_ssh_common_args'],
  /** ansible.cfg's [ssh_connection] ssh_args; ansible_ssh_common_args overrides what both set. */
  sshArgs: ['ansible_ssh_args'],
  become: ['become', 'ansible_become'],
  becomeUser: ['become_user', 'ansible_become_user'],
  becomePassword: ['become_password', 'ansible_become_password', 'ansible_become_pass'],
  connectTimeout: ['connect_timeout', 'ansible_ssh_timeout', 'ansible_timeout'],
  commandTimeout: ['command_timeout'],
  connectRetries: ['connect_retries', 'ansible_ssh_retries'],
  keepaliveInterval: ['keepalive_interval'],
  keepaliveCount: ['keepalive_count'],
} as const;

export function resolveSshOptions(hostName: string, vars: Vars, defaults: SshDefaults = localDefaults()): SshOptions {
  const problems: Problem[] = [];
  const r = new VarReader(hostName, vars, problems);

  const user = r.str(NAMES.user) ?? defaults.user;
  const common = {
    ...parseSshCommonArgs(r.str(NAMES.sshArgs) ?? '', hostName, problems),
    ...parseSshCommonArgs(r.str(NAMES.commonArgs) ?? '', hostName, problems),
  };
  const jumpSpec = r.str(NAMES.jumpHost) ?? common.proxyJump;
  const jump = jumpSpec && jumpSpec !== 'none' ? parseJumpHost(jumpSpec, user, hostName, problems) : undefined;
  const knownHostsFile = r.str(NAMES.knownHostsFile) ?? common.userKnownHostsFile ?? '~/.ssh/known_hosts';
  const keyFile = r.str(NAMES.privateKeyFile);

  const opts: SshOptions = {
    hostName,
    host: r.str(NAMES.host) ?? hostName,
    port: r.int(NAMES.port, 22, 1, 65535),
    user,
    privateKeyFile: keyFile === undefined ? undefined : expandHome(keyFile, defaults.home),
    knownHostsFile: expandHome(knownHostsFile, defaults.home),
    jump,
    become: r.bool(NAMES.become) ?? false,
    becomeUser: r.str(NAMES.becomeUser) ?? 'root',
    ...becomePassword(r.str(NAMES.becomePassword), hostName, problems),
    connectTimeoutMs: r.seconds(NAMES.connectTimeout, 10),
    commandTimeoutMs: r.seconds(NAMES.commandTimeout, 300),
    connectRetries: r.int(NAMES.connectRetries, 2, 0, 20),
    keepaliveIntervalMs: r.seconds(NAMES.keepaliveInterval, 15),
    keepaliveCountMax: r.int(NAMES.keepaliveCount, 3, 1, 100),
  };
  if (problems.length) throw new ValidationError(problems);
  return opts;
}

/** A password is a secret from here on; sudo reads one line, so it holds no line break. */
function becomePassword(password: string | undefined, hostName: string, problems: Problem[]): Pick<SshOptions, 'becomePassword'> {
  if (password === undefined) return {};
  secrets.add(password);
  if (!/[\r\n]/.test(password)) return { becomePassword: password };
  problems.push({
    host: hostName,
    path: 'ansible_become_password',
    message: 'the become password holds a line break',
    hint: 'sudo reads the password as one line: remove the line break',
  });
  return {};
}

/** `[user@]host[:port]`, or `[user@][v6addr]:port`. */
export function parseJumpHost(spec: string, defaultUser: string, hostName: string, problems: Problem[]): SshEndpoint | undefined {
  const bad = (why: string) => {
    problems.push({
      host: hostName,
      path: 'jump_host',
      message: `jump host "${spec}" ${why}`,
      hint: 'write it as user@host:port (user and port optional), e.g. admin@bastion.example:22',
    });
    return undefined;
  };
  if (spec.includes(',')) return bad('names several hops; only one jump host is supported');
  const m = /^(?:([^@\s]+)@)?(?:\[([^\]]+)\]|([^:@\s[\]]+))(?::(\d+))?$/.exec(spec.replace(/^ssh:\/\//, ''));
  if (!m) return bad('is not of the form [user@]host[:port]');
  const port = m[4] === undefined ? 22 : Number(m[4]);
  if (port < 1 || port > 65535) return bad(`has port ${m[4]}, outside 1-65535`);
  return { user: m[1] ?? defaultUser, host: (m[2] ?? m[3])!, port };
}

export interface CommonArgs {
  proxyJump?: string;
  userKnownHostsFile?: string;
}

/** Reads the few OpenSSH options that matter here out of `ansible_ssh_common_args`; the rest are ignored. */
export function parseSshCommonArgs(args: string, hostName: string, problems: Problem[]): CommonArgs {
  const out: CommonArgs = {};
  let words: string[];
  try {
    words = splitWords(args);
  } catch (e) {
    problems.push({ host: hostName, path: 'ansible_ssh_common_args', message: (e as Error).message, hint: 'close the quote' });
    return out;
  }
  const setOption = (kv: string) => {
    const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/s.exec(kv.trim());
    if (!m) return;
    const key = m[1]!.toLowerCase();
    if (key === 'proxyjump') out.proxyJump = m[2]!;
    else if (key === 'userknownhostsfile') out.userKnownHostsFile = m[2]!.split(/\s+/)[0];
    else if (key === 'proxycommand') {
      const jump = proxyCommandJump(m[2]!);
      if (jump) out.proxyJump = jump;
      else
        problems.push({
          host: hostName,
          path: 'ansible_ssh_common_args',
          message: `ProxyCommand "${m[2]}" is not supported`,
          hint: 'set jump_host: user@bastion:port (or -o ProxyJump=user@bastion:port) instead',
        });
    }
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-o' || w === '-J') {
      const next = words[++i];
      if (next === undefined) break;
      if (w === '-J') out.proxyJump = next;
      else setOption(next);
    } else if (w.startsWith('-o')) setOption(w.slice(2));
    else if (w.startsWith('-J')) out.proxyJump = w.slice(2);
  }
  return out;
}

/** The common bastion idiom `ssh -W %h:%p [-q] [-p port] [user@]bastion` maps to a jump host. */
function proxyCommandJump(cmd: string): string | undefined {
  let words: string[];
  try {
    words = splitWords(cmd);
  } catch {
    return undefined; // reported as an unsupported ProxyCommand
  }
  if (words[0] !== 'ssh' || !words.includes('-W')) return undefined;
  let port: string | undefined;
  let user: string | undefined;
  let target: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-W') i++;
    else if (w === '-p') port = words[++i];
    else if (w === '-l') user = words[++i];
    else if (w === '-q') continue;
    else if (w.startsWith('-')) return undefined;
    else if (target === undefined) target = w;
    else return undefined;
  }
  if (!target) return undefined;
  return `${user ? `${user}@` : ''}${target}${port ? `:${port}` : ''}`;
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/** Typed access to vars; a wrong type is recorded as a problem naming the var actually used. */
class VarReader {
  constructor(
    private readonly hostName: string,
    private readonly vars: Vars,
    private readonly problems: Problem[],
  ) {}

  private pick(names: readonly string[]): [string, unknown] | undefined {
    for (const n of names) {
      const v = this.vars[n];
      if (v !== undefined && v !== null && v !== '') return [n, v];
    }
    return undefined;
  }

  private bad(name: string, value: unknown, want: string): undefined {
    this.problems.push({ host: this.hostName, path: name, message: `${name} is ${JSON.stringify(value)}, expected ${want}` });
    return undefined;
  }

  str(names: readonly string[]): string | undefined {
    const p = this.pick(names);
    if (!p) return undefined;
    const [n, v] = p;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    return this.bad(n, v, 'a string');
  }

  bool(names: readonly string[]): boolean | undefined {
    const p = this.pick(names);
    if (!p) return undefined;
    const [n, v] = p;
    if (typeof v === 'boolean') return v;
    const s = String(v).toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(s)) return true;
    if (['false', 'no', 'off', '0'].includes(s)) return false;
    return this.bad(n, v, 'true or false');
  }

  int(names: readonly string[], dflt: number, min: number, max: number): number {
    const p = this.pick(names);
    if (!p) return dflt;
    const [n, v] = p;
    const num = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(num) || num < min || num > max) {
      this.bad(n, v, `an integer from ${min} to ${max}`);
      return dflt;
    }
    return num;
  }

  /** Seconds in vars (as Ansible writes timeouts), milliseconds out. */
  seconds(names: readonly string[], dflt: number): number {
    const p = this.pick(names);
    if (!p) return dflt * 1000;
    const [n, v] = p;
    const num = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
    if (!(num > 0) || num > 86400) {
      this.bad(n, v, 'a number of seconds greater than 0');
      return dflt * 1000;
    }
    return Math.round(num * 1000);
  }
}
