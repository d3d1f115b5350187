// The single end-to-end entry: brings up a small lab once, runs every suite against it,
// and tears it down (also when something failed). Node's runner gives each test file a
// process of its own, so the suites are imported here instead of being files of their own.
import { after, before, describe } from 'node:test';
import { labDown, labUp } from '../../lab/lab.js';
import { checkPreconditions, hostProbe } from '../../lab/preconditions.js';
import { E2eLab } from './lab-handle.js';
import { labDownClean } from './leftovers.js';
import { labSuite } from './suites/lab.js';
import { deploySuite } from './suites/deploy.js';
import { fleetSuite } from './suites/fleet.js';
import { tuningSuite } from './suites/tuning.js';
import { secretsSuite } from './suites/secrets.js';
import { ansibleSuite } from './suites/ansible.js';
import { monitoringSuite } from './suites/monitoring.js';
import { asicSuite } from './suites/asic.js';
import { queueSuite } from './suites/queue.js';

// To add a suite: export a LabSuite from test/e2e/suites/<area>.ts and list it here.
const SUITES = [labSuite, deploySuite, fleetSuite, tuningSuite, secretsSuite, ansibleSuite, monitoringSuite, asicSuite, queueSuite];
// PSD_E2E_LAB names the lab, so that several checkouts can run the suite side by side.
const lab = new E2eLab(process.env.PSD_E2E_LAB ?? 'e2e');
const missing = checkPreconditions(hostProbe());

if (missing.length && process.env.CI !== 'true') {
  describe('end-to-end (switch lab)', { skip: `host cannot run the lab: ${missing.join('; ')}` }, () => undefined);
} else {
  before(
    async () => {
      try {
        lab.info = await labUp({ name: lab.name, switches: 3, waitFor: 'healthy', log: (line) => console.log(line) });
      } catch (err) {
        await labDown(lab.name).catch(() => undefined);
        throw err;
      }
    },
    { timeout: 15 * 60_000 }, // includes building the rootfs when it is not cached
  );
  after(() => labDownClean(lab.name), { timeout: 120_000 });
  for (const suite of SUITES) suite(lab);
}
