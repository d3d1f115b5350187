// Deploying portsyncd to the lab: the artifact runs on switches without Node.js, a re-run changes
// and uploads nothing, Redis follows the kernel through a flap, and a broken release in batch 2
// is rolled back while batch 3 is never touched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { switchExec } from '../../../lab/lab.js';
import type { E2eLab } from '../lab-handle.js';
import { inChromium } from '../../helpers/browser.js';
import { REPO, cli, on, type CliRun } from './cli-run.js';

const DAEMON_PLAYBOOK = join(REPO, 'playbooks/parts/daemon.yaml');
/** The lab's 2 cores are shared with the test run: latency is checked for shape, not speed. */
const LAB_HEALTH = JSON.stringify({ portsyncd_health_self_test_port: 'Ethernet0', portsyncd_health_max_p99_us: 2_000_000 });

/** What a deploy may change on a switch, and the daemon's PID: equal means untouched. */
async function footprint(lab: E2eLab, sw: string): Promise<string> {
  return on(
    lab,
    sw,
    `readlink /opt/portsyncd/current; sha256sum /etc/portsyncd/portsyncd.yaml /etc/systemd/system/portsyncd.service
ls /etc/systemd/system/portsyncd.service.d 2>/dev/null; systemctl show -p MainPID -p ActiveState portsyncd.service`,
  );
}

const recap = (c: CliRun) =>
  c.events.filter((e) => e.event === 'recap').at(-1)!.hosts as Record<string, { changed: number; failed: number }>;
const uploaded = (c: CliRun) => {
  const last = new Map<string, number>();
  for (const e of c.events) if (e.event === 'host_stats') last.set(e.host, e.bytesUploaded);
  return last;
};

export function deploySuite(lab: E2eLab): void {
  describe('portsyncd deploy, health and rollback', () => {
    let inv: string;
    let work: string;
    let batches: string[][] = [];
    let rollbackRun: { victim: string; last: string } | undefined;

    before(
      () => {
        inv = lab.info.inventory.dir;
        work = mkdtempSync(join(tmpdir(), 'psd-deploy-e2e-'));
        const b = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: REPO, encoding: 'utf8' });
        assert.equal(b.status, 0, `npm run bundle: ${b.stderr}`);
        console.log(`# ${b.stdout.trim()}`);
      },
      { timeout: 300_000 },
    );
    after(() => {
      rmSync(work, { recursive: true, force: true });
      rmSync(join(inv, 'host_vars'), { recursive: true, force: true });
    });

    it('the switches have no Node.js: the artifact must bring its own runtime', async () => {
      for (const sw of lab.info.switches) {
        const r = await switchExec(lab.name, sw.name, ['sh', '-c', 'command -v node nodejs']);
        assert.notEqual(r.code, 0, `${sw.name} has ${r.stdout}`);
      }
    });

    it('a cold deploy in canary batches leaves every switch healthy', { timeout: 600_000 }, async () => {
      const r = cli([DAEMON_PLAYBOOK, '-i', inv, '-e', LAB_HEALTH, '--json']);
      assert.equal(r.code, 0, r.err + r.out);
      batches = r.events.filter((e) => e.event === 'batch_start').map((e) => e.hosts as string[]);
      assert.deepEqual(
        batches.map((b) => b.length),
        [1, 1, 1],
      );
      for (const [host, rc] of Object.entries(recap(r))) assert.ok(rc.changed > 0 && rc.failed === 0, `${host}: ${JSON.stringify(rc)}`);
      const health = r.events.filter((e) => e.event === 'result' && e.task === 'health: portsyncd healthy');
      assert.deepEqual(health.map((e) => [e.host, e.status]).sort(), lab.info.switches.map((s) => [s.name, 'ok']).sort());
      console.log(
        `# cold deploy to ${lab.info.switches.length} switches: ${r.secs.toFixed(1)} s, ${[...uploaded(r).values()].reduce((a, b) => a + b, 0)} bytes uploaded`,
      );
      for (const sw of lab.info.switches)
        assert.match(
          await on(lab, sw.name, 'systemctl show -p ActiveState,SubState portsyncd.service'),
          /ActiveState=active\nSubState=running/,
        );
    });

    it('a second run changes nothing and uploads 0 bytes', { timeout: 300_000 }, async () => {
      const r = cli([DAEMON_PLAYBOOK, '-i', inv, '-e', LAB_HEALTH, '--json']);
      assert.equal(r.code, 0, r.err + r.out);
      for (const [host, rc] of Object.entries(recap(r))) assert.equal(rc.changed, 0, host);
      const bytes = uploaded(r);
      assert.equal(bytes.size, lab.info.switches.length);
      for (const [host, n] of bytes) assert.equal(n, 0, `${host} uploaded ${n} bytes`);
      console.log(`# re-run: ${r.secs.toFixed(1)} s, bytes uploaded per host: ${JSON.stringify(Object.fromEntries(bytes))}`);
    });

    it('after a port flap, health shows STATE_DB equal to the kernel', { timeout: 120_000 }, async () => {
      const sw = lab.info.switches[0]!.name;
      await on(lab, sw, 'ip link set dev Ethernet4 down');
      try {
        let r = cli(['health', '-i', inv, '--json']);
        // The daemon writes within milliseconds; one retry covers a read that raced it.
        if (r.code !== 0) r = cli(['health', '-i', inv, '--json']);
        assert.equal(r.code, 0, r.out + r.err);
        const hosts = r.events[0]!.hosts as {
          host: string;
          ok: boolean;
          tasks: { results: { check: string; ok: boolean; value: string }[] }[];
        }[];
        assert.equal(hosts.length, lab.info.switches.length);
        const ports = hosts.find((h) => h.host === sw)!.tasks[0]!.results.find((c) => c.check.startsWith('STATE_DB PORT_TABLE'))!;
        assert.ok(ports.ok, ports.value);
        assert.equal((await on(lab, sw, "redis-cli -n 6 hget 'PORT_TABLE|Ethernet4' admin_status")).trim(), 'down');
        const table = cli(['health', '-i', inv]);
        assert.match(table.out, /STATE_DB PORT_TABLE = kernel \(Ethernet\*\)\s+pass\s+8 ports equal/);
        assert.match(table.out, /3 hosts: 3 healthy, 0 unhealthy/);
      } finally {
        await on(lab, sw, 'ip link set dev Ethernet4 up');
      }
    });

    it('a broken release in batch 2 is rolled back and halts; batch 3 is never touched', { timeout: 600_000 }, async () => {
      const [[first], [victim], [last]] = batches as [[string], [string], [string]];
      // The broken release: the real artifact whose daemon exits at once, plus a new config and
      // a tuning drop-in, all for the batch-2 switch only.
      const tree = join(work, 'broken');
      mkdirSync(tree);
      const latest = join(REPO, 'build/portsyncd', readFileSync(join(REPO, 'build/portsyncd/LATEST'), 'utf8').trim());
      assert.equal(spawnSync('tar', ['-xzf', latest, '-C', tree]).status, 0);
      writeFileSync(join(tree, 'lib/portsyncd.mjs'), "console.error('broken release'); process.exit(1);\n");
      const broken = join(work, 'portsyncd-broken.tar.gz');
      assert.equal(spawnSync('tar', ['-czf', broken, '-C', tree, '.']).status, 0);
      mkdirSync(join(inv, 'host_vars'), { recursive: true });
      writeFileSync(
        join(inv, 'host_vars', `${victim}.yaml`),
        `portsyncd_artifact: ${broken}\nportsyncd_config: {log_level: debug}\nportsyncd_tuning: {Nice: 5}\n`,
      );

      const before = new Map(await Promise.all([first, victim, last].map(async (s) => [s, await footprint(lab, s)] as const)));
      const r = cli([DAEMON_PLAYBOOK, '-i', inv, '-e', LAB_HEALTH, '--json', '--report', join(work, 'rollback.html')]);
      rmSync(join(inv, 'host_vars'), { recursive: true, force: true });
      assert.equal(r.code, 1, r.err + r.out);
      rollbackRun = { victim, last };

      const halt = r.events.find((e) => e.event === 'halt');
      assert.ok(halt, 'the run halts');
      assert.match(halt.reason, new RegExp(`halted after batch 2: health gate: batch of ${victim} failed`));
      assert.match(
        halt.reason,
        new RegExp(`rolled back: ${victim} \\(\\d+ restored, \\d+ removed, then .*\\), healthy after rollback: yes`),
      );
      assert.match(halt.reason, new RegExp(`not started: ${last}$`));
      console.log(`# ${halt.reason}`);
      const rollback = r.events.find((e) => e.event === 'result' && e.task === 'rollback');
      assert.equal(rollback?.host, victim);
      assert.equal(rollback?.status, 'changed');
      const recheck = r.events.find((e) => e.event === 'result' && e.task === 'health after rollback: portsyncd healthy');
      assert.equal(recheck?.status, 'ok', recheck?.msg);

      // The previous release, config and (absent) tuning drop-in are back, the daemon runs again.
      const after = await footprint(lab, victim);
      const [link, config, unit] = before.get(victim)!.split('\n');
      assert.deepEqual(after.split('\n').slice(0, 3), [link, config, unit]);
      assert.doesNotMatch(after, /daemon-tuning/);
      assert.match(after, /ActiveState=active/);
      // The broken release stays on disk beside the good one, as releases do.
      assert.match(await on(lab, victim, 'ls /opt/portsyncd/releases'), new RegExp(link!.replace('releases/', '')));
      // Batch 1 is not part of the failed batch, and batch 3 never started: both untouched.
      assert.equal(await footprint(lab, first), before.get(first));
      assert.equal(await footprint(lab, last), before.get(last));
      assert.equal(
        r.events.some((e) => e.event === 'result' && e.host === last),
        false,
      );

      const health = cli(['health', '-i', inv]);
      assert.equal(health.code, 0, health.out);
    });

    it(
      "the rollback run's HTML report opens in Chromium: batches, the rollback, health charts; no request, no JS error",
      { timeout: 180_000 },
      async () => {
        assert.ok(rollbackRun, 'the rollback run wrote its report');
        const { victim, last } = rollbackRun;
        const out = join(REPO, 'test-output');
        mkdirSync(out, { recursive: true });
        const page = await inChromium(join(work, 'rollback.html'), join(out, 'html-report-rollback.png'), async (p) => {
          assert.equal(await p.textContent('#exit-code'), '1');
          // Batches 1 and 2 ran (2 failed and was rolled back); batch 3 never started.
          assert.equal(await p.$$eval('#timeline .batch', (bs) => bs.length), 2);
          assert.equal(await p.$$eval('#timeline .batch-failed', (bs) => bs.length), 1);
          assert.match((await p.textContent('#rollbacks .halt')) ?? '', new RegExp(`rolled back: ${victim} .*not started: ${last}`));
          const steps = await p.$$eval('#rollbacks tbody tr', (rs) =>
            rs.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
          );
          assert.deepEqual(steps[0], [victim, 'rollback', 'changed']);
          assert.ok(
            steps.some(([h, step, status]) => h === victim && step === 'health after rollback: portsyncd healthy' && status === 'ok'),
            JSON.stringify(steps),
          );
          // Only the victim's release, config and drop-in changed; the first switch was already converged.
          const changed = await p.$$eval('#changes .group.status-changed .hosts', (hs) => hs.map((h) => h.textContent));
          assert.ok(changed.length > 0 && changed.every((h) => h === victim), JSON.stringify(changed));
          assert.ok(await p.isVisible('#changes .diff-unified .d2h-file-wrapper'), 'the config diff is rendered');
          // Health figures per switch and the two charts, drawn (the canvas holds pixels).
          const rows = await p.$$eval('#hosts tbody tr', (rs) => rs.map((r) => r.getAttribute('data-host')));
          assert.equal(rows.length, lab.info.switches.length);
          assert.match((await p.textContent(`#hosts tr[data-host="${victim}"]`)) ?? '', /MB/);
          for (const id of ['latency-chart', 'rss-chart']) {
            const inked = await p.$eval(`#${id}`, (c) => {
              const d = (c as HTMLCanvasElement)
                .getContext('2d')!
                .getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
              let n = 0;
              for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
              return n;
            });
            assert.ok(inked > 500, `${id}: ${inked} pixels drawn`);
          }
        });
        assert.deepEqual(page.errors, []);
        assert.deepEqual(page.external, []);
      },
    );
  });
}
