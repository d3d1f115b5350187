// Picks each host's transport from its `connection` var (alias ansible_connection):
// local, chroot (with chroot_dir) or ssh (the default).
import { TemplateError, ValidationError, type Problem } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import type { Transport } from '../transport/types.js';
import { LocalTransport } from '../transport/local.js';
import { createChrootTransport } from '../transport/chroot.js';
import { posOf } from '../source-map.js';
import type { TransportFactory } from '../exec/session.js';
import { renderString } from '../render/expr-template.js';
import { tracedTransport } from './traced-transport.js';
import type { DialledSockets } from '../transport/dial-ahead.js';

const KINDS = ['local', 'chroot', 'ssh'];

/** Connection vars may be templates ("{{ mgmt_ip }}", "/srv/roots/{{ inventory_hostname }}"). */
const CONNECTION_KEYS = ['connection', 'chroot_dir', 'host', 'port', 'user', 'private_key_file', 'jump_host'];

/** The host's vars with its connection settings rendered. */
export function connectionVars(vars: Vars): Vars {
  if (!CONNECTION_KEYS.some((k) => typeof vars[k] === 'string' && (vars[k] as string).includes('{{'))) return vars;
  const out = { ...vars };
  for (const k of CONNECTION_KEYS)
    if (typeof out[k] === 'string' && (out[k] as string).includes('{{')) out[k] = renderString(out[k] as string, vars);
  return out;
}

export function connectionOf(vars: Vars): string {
  return typeof vars.connection === 'string' ? vars.connection : 'ssh';
}

/** Problems with connection settings, found before any host is contacted. */
export function connectionProblems(hosts: { name: string; vars: Vars }[]): Problem[] {
  const out: Problem[] = [];
  for (const { name, vars: raw } of hosts) {
    let vars: Vars;
    try {
      vars = connectionVars(raw);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      out.push({ message: e.message, host: name, hint: e.hint });
      continue;
    }
    const c = connectionOf(vars);
    if (!KINDS.includes(c)) {
      out.push({
        message: `unknown connection "${c}"`,
        host: name,
        pos: posOf(vars, 'connection'),
        hint: `use one of ${KINDS.join(', ')}`,
      });
    } else if (c === 'chroot' && (typeof vars.chroot_dir !== 'string' || !vars.chroot_dir)) {
      out.push({
        message: 'connection chroot needs chroot_dir',
        host: name,
        pos: posOf(vars, 'connection'),
        hint: 'set chroot_dir: /path/to/root',
      });
    }
  }
  return out;
}

/** The SSH transport, loaded when the first host that uses it is admitted. */
let ssh: typeof import('../transport/ssh.js') | undefined;

/** Checks the hosts' connection settings (a ValidationError before any host is contacted) and
 *  loads the SSH transport if one of them uses it. Every factory made with the same options makes
 *  the same transports: one made for some hosts serves the hosts another call admitted. */
export async function transportFactory(
  hosts: { name: string; vars: Vars }[],
  opts: { acceptNewHostKeys: boolean; log: (m: string) => void; verbosity?: number; dialled?: DialledSockets },
): Promise<TransportFactory> {
  const problems = connectionProblems(hosts);
  if (problems.length) throw new ValidationError(problems);
  if (hosts.some((h) => connectionOf(h.vars) === 'ssh')) ssh ??= await import('../transport/ssh.js');
  const make = (host: string, raw: Vars, loginGate?: Promise<void>): Transport => {
    const vars = connectionVars(raw);
    switch (connectionOf(vars)) {
      case 'local':
        return new LocalTransport();
      case 'chroot':
        return createChrootTransport(host, vars.chroot_dir as string);
      default:
        if (!ssh) throw new Error(`host ${host}: its transport was made before its connection settings were checked`);
        return ssh.createSshTransport(host, vars, { ...opts, ...(loginGate ? { loginGate } : {}) });
    }
  };
  const verbosity = opts.verbosity ?? 0;
  return verbosity >= 3 ? (host, raw, gate) => tracedTransport(host, make(host, raw, gate), verbosity, opts.log) : make;
}
