import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderHostsYaml, renderKnownHosts } from '../../../lab/inventory.js';

const switches = [
  { name: 'spine1', group: 'spine' as const, address: '10.213.0.2', hostKey: 'ssh-ed25519 AAAAspine' },
  { name: 'leaf1', group: 'leaf' as const, address: '10.213.0.62', hostKey: 'ssh-ed25519 AAAAleaf' },
];

describe('lab inventory', () => {
  it('is an Ansible YAML inventory with spine and leaf groups and strict host key checking', () => {
    const doc = parse(renderHostsYaml({ lab: 'lab', clientKey: '/state/id_ed25519', knownHostsFile: '/inv/known_hosts', switches }));
    assert.deepEqual(doc.all.children, {
      spine: { hosts: { spine1: { ansible_host: '10.213.0.2' } } },
      leaf: { hosts: { leaf1: { ansible_host: '10.213.0.62' } } },
    });
    assert.equal(doc.all.vars.ansible_user, 'root');
    assert.equal(doc.all.vars.ansible_port, 22);
    assert.equal(doc.all.vars.ansible_ssh_private_key_file, '/state/id_ed25519');
    assert.equal(doc.all.vars.ansible_python_interpreter, '/usr/bin/python3');
    assert.equal(doc.all.vars.known_hosts_file, '/inv/known_hosts');
    assert.equal(doc.all.vars.ansible_ssh_common_args, '-o UserKnownHostsFile=/inv/known_hosts -o StrictHostKeyChecking=yes');
  });

  it('lists each switch host key under its address and name', () => {
    assert.equal(renderKnownHosts(switches), '10.213.0.2,spine1 ssh-ed25519 AAAAspine\n10.213.0.62,leaf1 ssh-ed25519 AAAAleaf\n');
  });
});
