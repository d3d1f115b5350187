// ansible.cfg, found where Ansible looks (ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg,
// /etc/ansible/ansible.cfg; the first that exists wins, nothing is merged) and read for the keys
// that mean something here. Every other key is ignored, with a note shown under -v.
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import { readRegular } from '../read-regular.js';
import type { SourcePos } from '../module.js';

export interface AnsibleConfig {
  /** The file read, if any. */
  file?: string;
  /** [defaults] inventory: paths resolved against the config file's folder. */
  inventory: string[];
  forks?: number;
  vaultPasswordFiles: string[];
  /** [defaults] roles_path (":"-separated), or ANSIBLE_ROLES_PATH over it; empty: Ansible's default. */
  rolesPath: string[];
  /** host_key_checking = False: unknown host keys are trusted on first use (changed ones still refused). */
  acceptNewHostKeys: boolean;
  /** [portsync] queue: the Redis URL of the run's workers, as --queue gives it (a password stays out of the process list). */
  queue?: string;
  /** The rest become the lowest layer of every host's variables, under Ansible's own names. */
  hostVars: Record<string, unknown>;
  /** Keys read but not used, each with why; printed under -v. */
  notes: string[];
}

/** Where Ansible looks, in order. A config in a world-writable current folder is skipped, as Ansible does. */
export function findAnsibleConfig(env: NodeJS.ProcessEnv, cwd: string, home: string): { file?: string; notes: string[] } {
  const notes: string[] = [];
  const fromEnv = env.ANSIBLE_CONFIG;
  if (fromEnv) {
    const p = resolve(cwd, fromEnv);
    const file = existsSync(p) && statSync(p).isDirectory() ? join(p, 'ansible.cfg') : p;
    if (existsSync(file)) return { file, notes };
    notes.push(`ANSIBLE_CONFIG names ${file}, which does not exist; looking further`);
  }
  const local = join(cwd, 'ansible.cfg');
  if (existsSync(local)) {
    if (statSync(cwd).mode & 0o002) notes.push(`ignored ${local}: the current folder is world-writable (as Ansible does)`);
    else return { file: local, notes };
  }
  for (const file of [join(home, '.ansible.cfg'), '/etc/ansible/ansible.cfg']) if (existsSync(file)) return { file, notes };
  return { notes };
}

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** Keys Ansible has that do not apply here, and why (the rest get a generic note). */
const NOT_NEEDED: Record<string, string> = {
  'ssh_connection.pipelining': 'every task of a host already runs in one script over one connection',
  'ssh_connection.control_path': 'one SSH connection per host is kept open for the whole run',
  'ssh_connection.control_path_dir': 'one SSH connection per host is kept open for the whole run',
  'defaults.gathering': 'facts are read as tasks declare them, in one round trip per host',
  'defaults.interpreter_python': 'nothing runs Python on the switches',
  'defaults.retry_files_enabled': 'no .retry files are written',
  'defaults.strategy': 'hosts run in batches by serial, each host independently',
};

/** The environment variables that stand for the config keys read here; they override the file, as in Ansible. */
const ENV_KEYS: Record<string, [section: string, key: string]> = {
  ANSIBLE_INVENTORY: ['defaults', 'inventory'],
  ANSIBLE_FORKS: ['defaults', 'forks'],
  ANSIBLE_REMOTE_USER: ['defaults', 'remote_user'],
  ANSIBLE_PRIVATE_KEY_FILE: ['defaults', 'private_key_file'],
  ANSIBLE_HOST_KEY_CHECKING: ['defaults', 'host_key_checking'],
  ANSIBLE_TIMEOUT: ['defaults', 'timeout'],
  ANSIBLE_VAULT_PASSWORD_FILE: ['defaults', 'vault_password_file'],
  ANSIBLE_BECOME: ['privilege_escalation', 'become'],
  ANSIBLE_BECOME_USER: ['privilege_escalation', 'become_user'],
  ANSIBLE_BECOME_METHOD: ['privilege_escalation', 'become_method'],
  ANSIBLE_SSH_ARGS: ['ssh_connection', 'ssh_args'],
};

/** Reads the config text (Python configparser's INI dialect). */
export function parseAnsibleConfig(text: string, file: string, home = os.homedir()): AnsibleConfig {
  const problems: Problem[] = [];
  const cfg: AnsibleConfig = {
    file,
    inventory: [],
    vaultPasswordFiles: [],
    rolesPath: [],
    acceptNewHostKeys: false,
    hostVars: {},
    notes: [],
  };
  applyEntries(cfg, entries(text, file, problems), dirname(file), home, problems);
  if (problems.length) throw new ValidationError(problems);
  return cfg;
}

/** ANSIBLE_* variables over the file's settings; relative paths in them resolve against the current folder. */
export function applyAnsibleEnv(cfg: AnsibleConfig, env: NodeJS.ProcessEnv, cwd: string, home = os.homedir()): AnsibleConfig {
  const problems: Problem[] = [];
  const set = Object.entries(ENV_KEYS).filter(([name]) => env[name] !== undefined && env[name] !== '');
  // A value from the environment replaces the file's, never adds to it.
  if (env.ANSIBLE_VAULT_PASSWORD_FILE) cfg.vaultPasswordFiles = [];
  const envEntries = set.map(([name, [section, key]]) => ({ section, key, value: env[name]!.trim(), label: name }));
  applyEntries(cfg, envEntries, cwd, home, problems);
  if (problems.length) throw new ValidationError(problems);
  for (const e of envEntries) cfg.notes.push(`${e.label} from the environment overrides ${e.section}.${e.key}`);
  return cfg;
}

function applyEntries(cfg: AnsibleConfig, list: Entry[], base: string, home: string, problems: Problem[]): void {
  const file = cfg.file ?? 'the environment';
  const path = (v: string) => {
    const p = v.startsWith('~/') ? join(home, v.slice(2)) : v;
    return isAbsolute(p) ? p : resolve(base, p);
  };
  for (const { section, key, value, pos, label } of list) {
    const bad = (why: string, hint: string) =>
      problems.push({ message: `${label ?? `${section}.${key}`} = "${value}" ${why}`, ...(pos ? { pos } : {}), hint });
    const bool = (): boolean | undefined => {
      const v = value.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      bad('is not a boolean', 'use True or False');
      return undefined;
    };
    const int = (min: number): number | undefined => {
      const n = Number(value);
      if (/^\d+$/.test(value) && n >= min) return n;
      bad(`is not a whole number of at least ${min}`, 'write digits only, e.g. 20');
      return undefined;
    };
    const id = `${section}.${key}`;
    switch (id) {
      case 'defaults.inventory':
      case 'defaults.hostfile':
        cfg.inventory = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map(path);
        break;
      case 'defaults.roles_path':
        cfg.rolesPath = splitPathList(value).map(path);
        break;
      case 'defaults.forks':
        cfg.forks = int(1);
        break;
      case 'defaults.remote_user':
        cfg.hostVars.ansible_user = value;
        break;
      case 'defaults.private_key_file':
        cfg.hostVars.ansible_ssh_private_key_file = path(value);
        break;
      case 'defaults.host_key_checking':
        cfg.acceptNewHostKeys = bool() === false;
        if (cfg.acceptNewHostKeys)
          cfg.notes.push(
            `${label ?? file}: host_key_checking = False trusts unknown host keys on first use; a changed key is still refused`,
          );
        break;
      case 'defaults.timeout':
        cfg.hostVars.ansible_timeout = int(1);
        break;
      case 'defaults.vault_password_file':
        cfg.vaultPasswordFiles.push(path(value));
        break;
      case 'privilege_escalation.become':
        cfg.hostVars.ansible_become = bool();
        break;
      case 'privilege_escalation.become_user':
        cfg.hostVars.ansible_become_user = value;
        break;
      case 'privilege_escalation.become_method':
        if (value !== 'sudo') bad('is not supported', 'only sudo is: become runs every script through "sudo -n"');
        break;
      case 'ssh_connection.ssh_args':
        cfg.hostVars.ansible_ssh_args = value;
        cfg.notes.push(
          `${label ?? file}: of ssh_args only ProxyJump (-J or -o ProxyJump=…) and UserKnownHostsFile are used; the connection is made in-process`,
        );
        break;
      case 'portsync.queue':
        cfg.queue = value;
        break;
      default:
        cfg.notes.push(`${file}:${pos?.line}: ${id} ignored: ${NOT_NEEDED[id] ?? 'not used by portsync-deploy'}`);
    }
  }
}

interface Entry {
  section: string;
  key: string;
  value: string;
  /** In a file; absent for an environment variable, which `label` names instead. */
  pos?: SourcePos;
  label?: string;
}

/** `key = value` / `key: value` lines per [section]; # and ; comments, `;` inline comments, indented continuation lines. */
function entries(text: string, file: string, problems: Problem[]): Entry[] {
  const out: Entry[] = [];
  let section: string | undefined;
  /** Index of the line an indented line would continue (the last entry's, or its last continuation). */
  let open = -2;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const pos: SourcePos = { file, line: n + 1, col: 1 };
    if (!raw.trim() || /^\s*[#;]/.test(raw)) continue;
    const last = out[out.length - 1];
    if (/^\s/.test(raw) && last && open === n - 1) {
      last.value = `${last.value}\n${stripComment(raw.trim())}`.trim();
      open = n;
      continue;
    }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      section = sec[1].trim();
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw.trim());
    if (!kv) {
      problems.push({ message: `cannot read "${raw.trim()}"`, pos, hint: 'ansible.cfg lines are "key = value" under a [section]' });
      continue;
    }
    if (!section) {
      problems.push({ message: `"${kv[1]}" comes before any [section]`, pos, hint: 'put it under [defaults]' });
      continue;
    }
    out.push({ section, key: kv[1].toLowerCase(), value: stripComment(kv[2]), pos });
    open = n;
  }
  return out;
}

/** Ansible's pathspec: ":"-separated folders. */
function splitPathList(v: string): string[] {
  return v
    .split(':')
    .map((s) => s.trim())
    .filter(Boolean);
}

function stripComment(v: string): string {
  return v.replace(/\s;.*$/, '').trim();
}

/** The config that applies to this process (none: empty settings). */
export function loadAnsibleConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), home = os.homedir()): AnsibleConfig {
  const found = findAnsibleConfig(env, cwd, home);
  const cfg = found.file ? readAnsibleConfig(found.file, home) : undefined;
  if (cfg) cfg.notes.unshift(`using ${found.file}`, ...found.notes);
  const out = cfg ?? { inventory: [], vaultPasswordFiles: [], rolesPath: [], acceptNewHostKeys: false, hostVars: {}, notes: found.notes };
  // As in Ansible, the environment variable beats the file (relative folders: from the current one).
  if (env.ANSIBLE_ROLES_PATH) out.rolesPath = splitPathList(env.ANSIBLE_ROLES_PATH).map((p) => resolve(cwd, p));
  return applyAnsibleEnv(out, env, cwd, home);
}

/** The most an ansible.cfg may hold: it is a few dozen settings. */
const MAX_CONFIG_BYTES = 1 << 20;

function readAnsibleConfig(file: string, home: string): AnsibleConfig {
  let text: string;
  try {
    text = readRegular(file, MAX_CONFIG_BYTES);
  } catch (e) {
    throw new ValidationError([{ message: `cannot read ${file}: ${(e as Error).message}`, pos: { file, line: 1, col: 1 } }]);
  }
  return parseAnsibleConfig(text, file, home);
}
