// set_fact: Ansible's set_fact module. Its args become variables of the host for the tasks after
// it (above play vars, as in Ansible); it changes nothing on the host.
import type { Module } from '../../src/module.js';
import { schema, type SetFactArgs } from './schema.js';

/** As Ansible's set_fact: a value that is the text true/false/yes/no (any case) becomes a boolean. */
function ansibleValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.toLowerCase();
  return t === 'true' || t === 'yes' ? true : t === 'false' || t === 'no' ? false : v;
}

const setFact: Module<SetFactArgs> = {
  name: 'set_fact',
  aliases: ['ansible.builtin.set_fact'],
  schema,
  needs: () => [],
  setsVars: (args) =>
    Object.fromEntries(
      Object.entries(args)
        .filter(([k]) => k !== 'cacheable')
        .map(([k, v]) => [k, ansibleValue(v)]),
    ),
  diff: () => [],
};

export default setFact;
