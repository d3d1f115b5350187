// Task args that use Ansible's facts are rendered before the host is read (what a task reads is
// declared then), so they are rendered with stand-in facts first, and again on the real facts when
// the task is planned. The stand-ins sit beneath every variable, as the facts do, and note when a
// render reads one, through a variable or a default() alike: only such a task is rendered again.
import type { Vars } from '../playbook/types.js';
import { ansibleFactVars } from '../facts/system-facts.js';
import { markUnsafe } from '../raw-data.js';
import { assignWithPos } from '../vars/merge.js';

/** Every fact the gather can give, with a value of its type. */
const STAND_INS: Vars = {
  distribution: 'Debian',
  distribution_release: 'NA',
  distribution_version: '0',
  distribution_major_version: '0',
  distribution_minor_version: '0',
  os_family: 'Debian',
  nodename: 'host',
  hostname: 'host',
  fqdn: 'host',
  domain: '',
  kernel: '0',
  kernel_version: '0',
  architecture: 'x86_64',
  machine: 'x86_64',
  system: 'Linux',
  processor_count: 1,
  processor_cores: 1,
  processor_threads_per_core: 1,
  processor_vcpus: 1,
  memtotal_mb: 1,
  memfree_mb: 1,
  interfaces: [],
  default_ipv4: {
    gateway: '0.0.0.0',
    interface: 'eth0',
    address: '0.0.0.0',
    broadcast: '',
    netmask: '0.0.0.0',
    network: '0.0.0.0',
    prefix: '0',
    macaddress: '00:00:00:00:00:00',
    mtu: 1500,
    type: 'ether',
    alias: 'eth0',
  },
};

export class FactStandIns {
  private read = false;
  private readonly layer: Vars = {};

  constructor() {
    for (const [name, value] of Object.entries(ansibleFactVars(STAND_INS))) {
      Object.defineProperty(this.layer, name, {
        enumerable: true,
        get: () => {
          this.read = true;
          return value;
        },
      });
      markUnsafe(this.layer, name);
    }
  }

  /** `render` on `vars` with the stand-ins beneath, and whether it read a fact (also when it threw). */
  render<T>(vars: Vars, render: (v: Vars) => T): { value?: T; error?: unknown; readsFacts: boolean } {
    this.read = false;
    const v = assignWithPos(Object.create(this.layer) as Vars, vars);
    try {
      return { value: render(v), readsFacts: this.read };
    } catch (error) {
      return { error, readsFacts: this.read };
    }
  }
}
