// Client authentication: key files (passphrase from env or a no-echo prompt, asked once per file) and ssh-agent.
// The passphrase never leaves this file: not in logs, not in errors.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentAuthMethod, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { AuthSetupError } from './terminal-prompt.js';
import { signingOnceDecoded } from './key-signer.js';
import { parseKey } from './ssh2-parts.js';

type Method = PublicKeyAuthMethod | AgentAuthMethod;

export const PASSPHRASE_ENV = 'PORTSYNC_SSH_PASSPHRASE';
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface AuthSources {
  /** Explicit key file; a failure to load it fails the host. */
  keyFile?: string;
  /** Where default identities are looked for (~/.ssh). */
  sshDir: string;
  agentSocket?: string;
  /** Asks the user; undefined when there is no terminal. */
  prompt?: (question: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
  log: (msg: string) => void;
}

/** Parsed keys by absolute path: decrypting a bcrypt-protected key costs real CPU, and the prompt must come once. */
const keyCache = new Map<string, Promise<ParsedKey | undefined>>();
/** Prompts for different key files must not interleave on one terminal. */
let promptQueue: Promise<unknown> = Promise.resolve();

export interface AuthPlan {
  methods: Method[];
  /** For the failure message: what was tried, e.g. "key file /root/.ssh/id_ed25519, ssh-agent". */
  described: string;
}

/** Auth methods in OpenSSH's spirit: the named key first, then the agent, then default identities. */
export async function planAuth(username: string, src: AuthSources): Promise<AuthPlan> {
  const methods: Method[] = [];
  const described: string[] = [];
  if (src.keyFile) {
    const key = await loadKey(src.keyFile, src, true);
    if (key) {
      methods.push({ type: 'publickey', username, key });
      described.push(`key file ${src.keyFile}`);
    }
  }
  if (src.agentSocket) {
    methods.push({ type: 'agent', username, agent: src.agentSocket });
    described.push(`ssh-agent at ${src.agentSocket}`);
  }
  if (!src.keyFile) {
    for (const name of DEFAULT_IDENTITIES) {
      const file = path.join(src.sshDir, name);
      const key = await loadKey(file, src, false);
      if (key) {
        methods.push({ type: 'publickey', username, key });
        described.push(`key file ${file}`);
      }
    }
  }
  if (!methods.length)
    throw new AuthSetupError(
      `no SSH credentials: no key file is set (private_key_file), SSH_AUTH_SOCK is not set, and no default key exists in ${src.sshDir}`,
    );
  return { methods, described: described.join(', ') };
}

function loadKey(file: string, src: AuthSources, explicit: boolean): Promise<ParsedKey | undefined> {
  const abs = path.resolve(file);
  let p = keyCache.get(abs);
  if (!p) {
    p = readKey(abs, src, explicit);
    keyCache.set(abs, p);
    // A failure is not cached, so a later host may try again (e.g. after a mistyped passphrase).
    p.catch(() => keyCache.delete(abs));
  }
  return p;
}

async function readKey(file: string, src: AuthSources, explicit: boolean): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuthSetupError(`cannot read key file ${file}: ${(e as Error).message}`);
  }
  const plain = parse(data);
  if (!(plain instanceof Error)) return plain;
  if (!/passphrase|encrypted/i.test(plain.message))
    throw new AuthSetupError(`key file ${file} is not a usable private key: ${plain.message}`);

  const fromEnv = src.env[PASSPHRASE_ENV];
  if (!fromEnv && !src.prompt) {
    if (!explicit) {
      src.log(`skipping passphrase-protected key ${file}: set ${PASSPHRASE_ENV} or load it into ssh-agent`);
      return undefined;
    }
    throw new AuthSetupError(
      `key file ${file} is protected by a passphrase: set ${PASSPHRASE_ENV}, load the key into ssh-agent, or run on a terminal to be asked`,
    );
  }
  const passphrase = fromEnv || (await askInTurn(src.prompt!, `Passphrase for key ${file}: `));
  const key = parse(data, passphrase);
  if (key instanceof Error)
    throw new AuthSetupError(
      `cannot decrypt key file ${file} with the passphrase from ${fromEnv ? PASSPHRASE_ENV : 'the prompt'}: wrong passphrase?`,
    );
  return key;
}

function parse(data: Buffer, passphrase?: string): ParsedKey | Error {
  const r = parseKey(data, passphrase);
  const key = Array.isArray(r) ? r[0] : r;
  if (key instanceof Error) return key;
  if (!key || !key.isPrivateKey()) return new Error('not a private key');
  return signingOnceDecoded(key);
}

function askInTurn(prompt: (q: string) => Promise<string>, question: string): Promise<string> {
  const run = promptQueue.then(() => prompt(question));
  promptQueue = run.catch(() => undefined);
  return run;
}
