// systemd_service: Ansible's systemd_service (and its older name systemd) for a unit that exists:
// daemon-reload, mask, enable and run state, each planned from the unit's state on the host.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { systemdServiceDiff } from './diff.js';
import { schema, type SystemdServiceArgs } from './schema.js';

const systemd: Module<SystemdServiceArgs> = {
  name: 'systemd_service',
  aliases: ['systemd', 'ansible.builtin.systemd', 'ansible.builtin.systemd_service'],
  covers: ['ansible.builtin.service', 'service'],
  schema,
  needs: (args): FactQuery[] => (args.name ? [{ kind: 'unit', name: args.name }, { kind: 'host' }] : []),
  diff: systemdServiceDiff,
};

export default systemd;
