// A multi-ASIC switch (`lab up --asics leaf1=2`, a one-switch lab of its own beside the shared
// one, so the other suites keep their plain switches): the deploy runs one portsyncd@<asic> per
// ASIC namespace, a link event in one namespace reaches that ASIC's Redis and no other, and health
// probes each instance apart, failing the host when one fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { asicPortNames, asicSocket } from '../../../lab/asics.js';
import { portNames } from '../../../lab/topology.js';
import { labUp } from '../../../lab/lab.js';
import { E2eLab } from '../lab-handle.js';
import { labDownClean } from '../leftovers.js';
import { cli, on, recapOf, REPO, waitFor } from './cli-run.js';

const MULTI_ASIC_SWITCH = 'leaf1';
const DAEMON_PLAYBOOK = join(REPO, 'playbooks/parts/daemon.yaml');

type HealthHost = { host: string; ok: boolean; tasks: { results: { check: string; ok: boolean; value: string }[] }[] };

export function asicSuite(shared: E2eLab): void {
  describe('multi-ASIC switch: one portsyncd per ASIC namespace', () => {
    const sw = MULTI_ASIC_SWITCH;
    const lab = new E2eLab(`${shared.name.slice(0, 7)}m`);
    const redis = (k: number | undefined, cmd: string) =>
      `redis-cli -s ${k === undefined ? '/var/run/redis/redis.sock' : asicSocket(k)} -n 6 ${cmd}`;
    const stateKeys = async (k: number | undefined) =>
      (await on(lab, sw, redis(k, "--raw keys 'PORT_TABLE|*'")))
        .split('\n')
        .filter(Boolean)
        .map((key) => key.slice('PORT_TABLE|'.length))
        .sort();
    const sorted = (names: string[]) => [...names].sort();

    before(
      async () => {
        const b = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: REPO, encoding: 'utf8' });
        assert.equal(b.status, 0, `npm run bundle: ${b.stderr}`);
        lab.info = await labUp({ name: lab.name, switches: 1, asics: { [sw]: 2 }, waitFor: 'healthy' });
      },
      { timeout: 300_000 },
    );
    after(() => labDownClean(lab.name), { timeout: 120_000 });

    it('the lab switch has two ASIC namespaces, each with its own ports and Redis', async () => {
      assert.deepEqual(lab.switch(sw).asics, ['asic0', 'asic1']);
      assert.deepEqual((await on(lab, sw, 'ip netns list | cut -d" " -f1 | sort')).trim().split('\n'), ['asic0', 'asic1']);
      const ports = lab.info.ports;
      for (const k of [0, 1]) {
        const links = await on(lab, sw, `ip -n asic${k} -br link show | cut -d@ -f1 | grep ^Ethernet | sort -V`);
        assert.deepEqual(links.trim().split('\n'), asicPortNames(ports, k));
        assert.equal((await on(lab, sw, `redis-cli -s ${asicSocket(k)} ping`)).trim(), 'PONG');
      }
    });

    it(
      "the deploy starts portsyncd@asic0 and @asic1; a link event in one ASIC reaches that ASIC's Redis only",
      { timeout: 600_000 },
      async () => {
        const r = cli([DAEMON_PLAYBOOK, '-i', lab.info.inventory.dir, '-l', sw, '--json']);
        assert.equal(r.code, 0, r.err + r.out);
        assert.equal(recapOf(r)[sw]!.failed, 0);
        for (const asic of ['asic0', 'asic1'])
          assert.match(
            await on(lab, sw, `systemctl show -p ActiveState,SubState portsyncd@${asic}.service`),
            /ActiveState=active\nSubState=running/,
          );

        const ports = lab.info.ports;
        const [a0, a1] = [asicPortNames(ports, 0), asicPortNames(ports, 1)];
        // Each ASIC's Redis holds its own configured ports, the switch's own Redis none of theirs.
        await waitFor(
          'both ASICs synced',
          async () => ((await stateKeys(0)).length === a0.length && (await stateKeys(1)).length === a1.length) || undefined,
        );
        assert.deepEqual(await stateKeys(0), sorted(a0));
        assert.deepEqual(await stateKeys(1), sorted(a1));
        assert.deepEqual(await stateKeys(undefined), sorted(portNames(ports)));

        const [down0, mtu1, gone1] = [a0[0]!, a1[0]!, a1[1]!];
        await on(lab, sw, `ip -n asic0 link set ${down0} down && ip -n asic1 link set ${mtu1} mtu 9000 && ip -n asic1 link del ${gone1}`);
        try {
          await waitFor(
            `${down0} down in asic0's STATE_DB`,
            async () => (await on(lab, sw, redis(0, `hget 'PORT_TABLE|${down0}' admin_status`))).trim() === 'down' || undefined,
          );
          await waitFor(`${mtu1} mtu 9000 and ${gone1} deleted in asic1's STATE_DB`, async () => {
            const mtu = (await on(lab, sw, redis(1, `hget 'PORT_TABLE|${mtu1}' mtu`))).trim();
            return (mtu === '9000' && !(await stateKeys(1)).includes(gone1)) || undefined;
          });
          // Nothing crossed: asic1's Redis never saw asic0's port, nor the other way round.
          assert.deepEqual(await stateKeys(1), sorted(a1.filter((p) => p !== gone1)));
          assert.deepEqual(await stateKeys(0), sorted(a0));
          assert.equal((await on(lab, sw, redis(1, `hget 'PORT_TABLE|${mtu1}' admin_status`))).trim(), 'up');
          assert.equal((await on(lab, sw, redis(undefined, `exists 'PORT_TABLE|${down0}' 'PORT_TABLE|${mtu1}'`))).trim(), '0');
        } finally {
          await on(
            lab,
            sw,
            `ip -n asic0 link set ${down0} up; ip -n asic1 link set ${mtu1} mtu 1500; ip -n asic1 link add ${gone1} type veth peer name ${gone1.replace('Ethernet', 'wire')} && ip -n asic1 link set ${gone1} up && ip -n asic1 link set ${gone1.replace('Ethernet', 'wire')} up`,
          );
        }
      },
    );

    it('health probes each instance apart; a stopped instance fails its host on its own checks', { timeout: 300_000 }, async () => {
      const health = () => {
        const r = cli(['health', '-i', lab.info.inventory.dir, '-l', sw, '--json']);
        return { code: r.code, host: (r.events[0]!.hosts as HealthHost[]).find((h) => h.host === sw)!, out: r.out + r.err };
      };
      const healthy = await waitFor('a healthy switch', async () => {
        const h = health();
        return h.code === 0 ? h : undefined;
      });
      const checks = healthy.host.tasks[0]!.results;
      for (const asic of ['asic0', 'asic1']) {
        const mine = checks.filter((c) => c.check.startsWith(`portsyncd@${asic}: `));
        assert.ok(mine.length >= 8 && mine.every((c) => c.ok), JSON.stringify(mine));
        assert.match(mine.find((c) => c.check.endsWith('STATE_DB PORT_TABLE = kernel (Ethernet*)'))!.value, /^\d+ ports equal$/);
      }

      await on(lab, sw, 'systemctl stop portsyncd@asic1.service');
      try {
        const h = health();
        assert.equal(h.code, 1, h.out);
        assert.equal(h.host.ok, false);
        const failed = h.host.tasks[0]!.results.filter((c) => !c.ok).map((c) => c.check);
        assert.ok(failed.length > 0 && failed.every((c) => c.startsWith('portsyncd@asic1: ')), JSON.stringify(failed));
        assert.ok(failed.includes('portsyncd@asic1: unit active (READY)'));
      } finally {
        await on(lab, sw, 'systemctl start portsyncd@asic1.service');
      }
    });
  });
}
