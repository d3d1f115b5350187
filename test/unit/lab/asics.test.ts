import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { resolveSonicDbs } from '../../../daemon/src/redis/sonic-db-config.js';
import { asicPortNames, asicSocket, checkAsicSwitches, DATABASE_GLOBAL, databaseGlobal, namespaceScript } from '../../../lab/asics.js';
import { parseLabArgs } from '../../../lab/args.js';
import { renderHostsYaml } from '../../../lab/inventory.js';
import { configDbCommands, databaseConfig } from '../../../lab/sonic-layout.js';
import { ValidationError } from '../../../src/errors.js';

describe('multi-ASIC lab switches', () => {
  it('lab up --asics takes SWITCH=N pairs and refuses anything else', () => {
    assert.deepEqual(parseLabArgs(['up', '--asics', 'leaf2=2,leaf3=1']), {
      command: 'up',
      name: undefined,
      switches: undefined,
      ports: undefined,
      inventory: undefined,
      asics: { leaf2: 2, leaf3: 1 },
    });
    assert.throws(() => parseLabArgs(['up', '--asics', 'leaf2']), /--asics "leaf2" is not SWITCH=N/);
    assert.throws(() => parseLabArgs(['up', '--asics', 'leaf2=9']), /use 1 to 4 ASICs/);
    assert.throws(
      () => checkAsicSwitches({ leaf9: 2 }, ['spine1', 'leaf1']),
      (e: unknown) => e instanceof ValidationError && /leaf9, which the lab does not have/.test(e.message),
    );
  });

  it("each namespace's portsyncd finds its own Redis socket through database_global.json, as on SONiC", () => {
    const files = new Map([
      [DATABASE_GLOBAL, databaseGlobal(2)],
      ['/var/run/redis/sonic-db/database_config.json', databaseConfig()],
      ['/var/run/redis0/sonic-db/database_config.json', databaseConfig(asicSocket(0))],
      ['/var/run/redis1/sonic-db/database_config.json', databaseConfig(asicSocket(1))],
    ]);
    const read = (p: string) => files.get(p) ?? assert.fail(`read ${p}`);
    assert.equal(resolveSonicDbs(DATABASE_GLOBAL, 'asic1', read).STATE_DB.path, '/var/run/redis1/redis.sock');
    assert.equal(resolveSonicDbs(DATABASE_GLOBAL, 'asic0', read).STATE_DB.path, '/var/run/redis0/redis.sock');
    assert.throws(() => resolveSonicDbs(DATABASE_GLOBAL, 'asic2', read), /no include for namespace asic2/);
  });

  it("ASIC ports follow the switch's own, so a name is unique on the switch; CONFIG_DB lists them", () => {
    assert.deepEqual(asicPortNames(2, 0), ['Ethernet8', 'Ethernet12']);
    assert.deepEqual(asicPortNames(2, 1), ['Ethernet16', 'Ethernet20']);
    assert.match(configDbCommands(asicPortNames(2, 1)), /^HSET "PORT\|Ethernet16" lanes "16,17,18,19" alias "etp5"/);
    const script = namespaceScript(2, 2);
    assert.match(script, /ip netns add asic1 .*'link add Ethernet20 type veth peer name wire20'/);
    assert.doesNotMatch(script, /Ethernet(0|4|24)\b/);
  });

  it('the inventory gives a multi-ASIC switch its portsyncd_asics, so the deploy runs one portsyncd@ per ASIC', () => {
    const doc = parse(
      renderHostsYaml({
        lab: 'lab',
        clientKey: '/k',
        knownHostsFile: '/kh',
        switches: [
          { name: 'leaf1', group: 'leaf', address: '10.213.0.62', hostKey: 'k1' },
          { name: 'leaf2', group: 'leaf', address: '10.213.0.63', hostKey: 'k2', asics: ['asic0', 'asic1'] },
        ],
      }),
    );
    assert.deepEqual(doc.all.children.leaf.hosts, {
      leaf1: { ansible_host: '10.213.0.62' },
      leaf2: { ansible_host: '10.213.0.63', portsyncd_asics: ['asic0', 'asic1'] },
    });
  });
});
