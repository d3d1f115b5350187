import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { labServiceLimits, playbookLimits } from '../../../lab/service-limits.js';
import { renderHostsYaml } from '../../../lab/inventory.js';

const limits = (nofile: string, nproc: string, memlock: string) =>
  `Limit                     Soft Limit           Hard Limit           Units     \n` +
  `Max processes             ${nproc}                ${nproc}                processes \n` +
  `Max open files            1024                 ${nofile}                files     \n` +
  `Max locked memory         ${memlock}              ${memlock}              bytes     \n`;

test("the wanted limits are the playbooks' defaults", () => {
  assert.deepEqual(playbookLimits(), { nofile: 65536, nproc: 4096, memlock: 'infinity' });
});

test("portsyncd's limits are lowered to the hard limits a lab switch inherits, never raised", () => {
  assert.deepEqual(labServiceLimits(limits('20000', '96365', '8388608')), { nofile: 20000, nproc: 4096, memlock: 8388608 });
  assert.deepEqual(labServiceLimits(limits('1048576', 'unlimited', 'unlimited')), { nofile: 65536, nproc: 4096, memlock: 'infinity' });
});

test('the lab inventory carries them for every switch', () => {
  const doc = parse(
    renderHostsYaml({
      lab: 'lab',
      clientKey: '/k',
      knownHostsFile: '/kh',
      switches: [],
      portsyncdLimits: { nofile: 20000, nproc: 4096, memlock: 8388608 },
    }),
  );
  assert.deepEqual(doc.all.vars.portsyncd_limits, { nofile: 20000, nproc: 4096, memlock: 8388608 });
});
