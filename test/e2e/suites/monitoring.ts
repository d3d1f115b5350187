// Monitoring against the lab: the daemons deployed to listen beyond loopback, one of them with a
// tiny netlink receive buffer; `monitoring` renders the assets from the lab's inventory,
// playbooks/monitoring.yaml installs them on a monitoring host (this machine, connection local,
// its folders in a temp dir, promtool checking), and Debian's prometheus, started here on a
// loopback port, scrapes every switch's daemon. A link storm on the one switch while its daemon
// is stopped overflows its netlink socket: the drop alert fires for that switch and no other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { switchExec } from '../../../lab/lab.js';
import type { E2eLab } from '../lab-handle.js';
import { Prometheus } from '../../helpers/prometheus.js';
import { inChromium } from '../../helpers/browser.js';
import { REPO, cli, recapOf, waitFor } from './cli-run.js';

const DAEMON_PLAYBOOK = join(REPO, 'playbooks/parts/daemon.yaml');
const MONITORING_PLAYBOOK = join(REPO, 'playbooks/monitoring.yaml');
/** The lab's 2 cores are shared with the test run: the latency gate is loose. */
const LAB_HEALTH = JSON.stringify({ portsyncd_health_max_p99_us: 2_000_000 });
const PORTS = Array.from({ length: 8 }, (_, i) => `Ethernet${i * 4}`);
/** Patience for Prometheus, whose scrapes and rule evaluations run every second here. */
const PATIENCE_MS = 90_000;

export function monitoringSuite(lab: E2eLab): void {
  describe('monitoring: Prometheus scrapes the lab, the netlink drop alert fires for one switch', () => {
    let work: string;
    let fleet: string;
    let monitoringInv: string;
    let victim: string;
    let prometheus: Prometheus | undefined;
    let deployed = false;

    before(
      () => {
        work = mkdtempSync(join(tmpdir(), 'psd-monitoring-e2e-'));
        fleet = join(work, 'fleet');
        cpSync(lab.info.inventory.dir, fleet, { recursive: true });
        victim = lab.info.switches.at(-1)!.name;
        mkdirSync(join(fleet, 'group_vars'), { recursive: true });
        mkdirSync(join(fleet, 'host_vars'), { recursive: true });
        // Prometheus runs on the lab host: the daemons listen on the switches' lab addresses.
        writeFileSync(join(fleet, 'group_vars/all.yaml'), 'portsyncd_config: {http: {host: 0.0.0.0}}\nmonitoring_scrape_interval: 1s\n');
        // The smallest receive buffer the daemon accepts (the kernel doubles it): a few messages fill it.
        writeFileSync(
          join(fleet, 'host_vars', `${victim}.yaml`),
          'portsyncd_config: {http: {host: 0.0.0.0}, netlink: {rcvbuf_bytes: 1024}}\n',
        );
        monitoringInv = join(work, 'monitoring-host');
        mkdirSync(monitoringInv);
        const root = join(work, 'root');
        writeFileSync(
          join(monitoringInv, 'hosts.yaml'),
          `all:\n  children:\n    monitoring:\n      hosts:\n        prom1:\n          connection: local\n` +
            `          monitoring_assets_dir: ${join(work, 'assets')}\n` +
            `          monitoring_prometheus_dir: ${root}/etc/prometheus\n` +
            `          monitoring_grafana_provisioning_dir: ${root}/etc/grafana/provisioning\n` +
            `          monitoring_grafana_dashboards_dir: ${root}/var/lib/grafana/dashboards/portsyncd\n`,
        );
      },
      { timeout: 60_000 },
    );
    after(
      async () => {
        await prometheus?.stop();
        // The daemons go back to the lab inventory's config (loopback, default buffer).
        if (deployed) {
          const r = cli([DAEMON_PLAYBOOK, '-i', lab.info.inventory.dir, '-e', LAB_HEALTH, '--json']);
          assert.equal(r.code, 0, r.err + r.out);
        }
        rmSync(work, { recursive: true, force: true });
      },
      { timeout: 600_000 },
    );

    it('deploy, render, install on the monitoring host; Prometheus scrapes every switch', { timeout: 600_000 }, async () => {
      deployed = true;
      const deploy = cli([DAEMON_PLAYBOOK, '-i', fleet, '-e', LAB_HEALTH, '--json']);
      assert.equal(deploy.code, 0, deploy.err + deploy.out);
      for (const sw of lab.info.switches) assert.equal(recapOf(deploy)[sw.name]?.failed, 0, sw.name);

      const render = cli(['monitoring', '-i', fleet, '-i', monitoringInv, '--out', join(work, 'assets')]);
      assert.equal(render.code, 0, render.err + render.out);
      assert.equal(render.err, '', 'no loopback warning: every daemon listens on 0.0.0.0');
      assert.match(render.out, new RegExp(`^${lab.info.switches.length} switches`));

      const install = cli([MONITORING_PLAYBOOK, '-i', fleet, '-i', monitoringInv, '--json']);
      assert.equal(install.code, 0, install.err + install.out);
      assert.deepEqual(Object.keys(recapOf(install)), ['prom1'], 'the play runs on the monitoring host only');

      prometheus = new Prometheus(join(work, 'root/etc/prometheus/prometheus.yml'), work);
      await prometheus.start();
      console.log(`# prometheus pid ${prometheus.pid} at ${prometheus.url}`);
      const targets = await waitFor(
        'every switch scraped',
        async () => {
          const t = await prometheus!.targets();
          return t && t.length === lab.info.switches.length && t.every((x) => x.health === 'up') ? t : undefined;
        },
        PATIENCE_MS,
        500,
      ).catch((e: Error) => assert.fail(`${e.message}\n${prometheus!.log}`));
      assert.deepEqual(targets.map((t) => t.labels.switch).sort(), lab.info.switches.map((s) => s.name).sort());
      for (const t of targets) assert.equal(t.labels.instance, `${lab.switch(t.labels.switch!).address}:9464`);
      // Two samples of every switch's drop counter, both 0: the increase the alert needs has a base.
      await waitFor(
        'two scrapes of every switch',
        async () => {
          const n = await prometheus!.values('count_over_time(portsyncd_netlink_drops_total[1m])');
          return n && n.size === lab.info.switches.length && [...n.values()].every((c) => c >= 2) ? n : undefined;
        },
        PATIENCE_MS,
        500,
      );
      const drops = await prometheus.values('portsyncd_netlink_drops_total');
      assert.deepEqual([...drops!.values()], Array(lab.info.switches.length).fill(0));
      const quiet = (await prometheus.alerts())!.filter((a) => /^Portsyncd(NetlinkDrops|Resyncs)$/.test(a.labels.alertname!));
      assert.deepEqual(quiet, [], 'no drop or resync alert on a quiet fleet');
    });

    it('a netlink overflow on one switch fires PortsyncdNetlinkDrops for that switch alone', { timeout: 300_000 }, async () => {
      assert.ok(prometheus, 'Prometheus runs');
      // The daemon stopped, a storm of link changes queues far more than its buffer holds, then it runs on.
      const storm = Array.from({ length: 200 }, (_, i) => PORTS.map((p) => `link set ${p} ${i % 2 ? 'up' : 'down'}`))
        .flat()
        .join('\n');
      const r = await switchExec(
        lab.name,
        victim,
        ['sh', '-c', 'systemctl kill -s STOP portsyncd.service && ip -batch -; rc=$?; systemctl kill -s CONT portsyncd.service; exit $rc'],
        `${storm}\n`,
      );
      assert.equal(r.code, 0, r.stderr);

      const firing = await waitFor(
        'the drop alert',
        async () => {
          const alerts = await prometheus!.alerts();
          const drops = alerts?.filter((a) => a.labels.alertname === 'PortsyncdNetlinkDrops' && a.state === 'firing');
          return drops?.length ? drops : undefined;
        },
        PATIENCE_MS,
        500,
      ).catch((e: Error) => assert.fail(`${e.message}\n${prometheus!.log}`));
      // Every switch scraped again after the alert fired: the others' counters were read after the storm.
      const since = Math.max(...firing.map((a) => Date.parse(a.activeAt)));
      await waitFor(
        'a scrape of every switch after the alert',
        async () => {
          const t = await prometheus!.targets();
          return t?.every((x) => Date.parse(x.lastScrape) > since) ? t : undefined;
        },
        PATIENCE_MS,
        500,
      );
      const alerts = (await prometheus.alerts())!;
      const switchesWith = (name: string) =>
        alerts
          .filter((a) => a.labels.alertname === name && a.state === 'firing')
          .map((a) => a.labels.switch)
          .sort();
      assert.deepEqual(switchesWith('PortsyncdNetlinkDrops'), [victim]);
      const fired = alerts.find((a) => a.labels.alertname === 'PortsyncdNetlinkDrops')!;
      assert.equal(fired.labels.severity, 'critical');
      assert.equal(fired.labels.instance, `${lab.switch(victim).address}:9464`);
      // The daemon resynced from a kernel dump after the overflow: that alert, too, for it alone.
      await waitFor(
        'the resync alert',
        async () =>
          (await prometheus!.alerts())?.some((a) => a.labels.alertname === 'PortsyncdResyncs' && a.state === 'firing') ? true : undefined,
        PATIENCE_MS,
        500,
      );
      assert.deepEqual(
        (await prometheus.alerts())!.filter((a) => a.labels.alertname === 'PortsyncdResyncs').map((a) => a.labels.switch),
        [victim],
      );
      const drops = (await prometheus.values('portsyncd_netlink_drops_total'))!;
      for (const sw of lab.info.switches)
        if (sw.name === victim) assert.ok(drops.get(sw.name)! > 0, `${sw.name}: ${drops.get(sw.name)} drops`);
        else assert.equal(drops.get(sw.name), 0, sw.name);
      console.log(
        `# ${victim}: ${drops.get(victim)} netlink drops; alerts: ${alerts.map((a) => `${a.labels.alertname}{switch=${a.labels.switch}} ${a.state}`).join(', ')}`,
      );
    });

    it("health --report after the overflow: the page marks that switch's drops and passes the others", { timeout: 180_000 }, async () => {
      const file = join(work, 'health.html');
      const r = cli(['health', '-i', fleet, '-e', LAB_HEALTH, '--report', file]);
      assert.equal(r.code, 1, r.out + r.err);
      const out = join(REPO, 'test-output');
      mkdirSync(out, { recursive: true });
      const page = await inChromium(file, join(out, 'html-report-health-after-overflow.png'), async (p) => {
        assert.equal(await p.textContent('#exit-code'), '1');
        const rows = await p.$$eval('#hosts tbody tr', (rs) =>
          rs.map((row) => ({
            host: row.getAttribute('data-host') ?? '',
            failed: row.classList.contains('row-failed'),
            health: row.lastElementChild?.textContent ?? '',
          })),
        );
        assert.equal(rows.length, lab.info.switches.length);
        for (const { host, failed, health } of rows)
          if (host === victim) {
            assert.equal(failed, true, host);
            assert.match(health, /netlink drops since start: [1-9]/, host);
          } else {
            assert.equal(failed, false, host);
            assert.match(health, /checks pass$/, host);
          }
      });
      assert.deepEqual(page.errors, []);
      assert.deepEqual(page.external, []);
    });
  });
}
