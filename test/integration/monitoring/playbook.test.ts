// playbooks/monitoring.yaml on a monitoring host (the control machine, connection local, its
// folders in a temp dir): the assets `monitoring` rendered are installed, Debian's promtool checks
// the rules and the config before they replace the installed ones, a re-run changes nothing, a
// broken rules file is refused and leaves the installed one, and without promtool nothing is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');
const PLAY = join(REPO, 'playbooks/monitoring.yaml');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('monitoring.yaml installs the rendered assets, checked by promtool; a broken rules file is refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-monitoring-play-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const inv = join(dir, 'inv');
  const root = join(dir, 'root');
  const assets = join(dir, 'assets');
  mkdirSync(join(inv, 'host_vars'), { recursive: true });
  writeFileSync(
    join(inv, 'hosts.yaml'),
    'all:\n  children:\n    leaf:\n      hosts:\n        leaf-[1:3]:\n    monitoring:\n      hosts:\n        prom1:\n',
  );
  writeFileSync(
    join(inv, 'host_vars/prom1.yaml'),
    [
      'connection: local',
      `monitoring_assets_dir: ${assets}`,
      `monitoring_prometheus_dir: ${root}/etc/prometheus`,
      `monitoring_grafana_provisioning_dir: ${root}/etc/grafana/provisioning`,
      `monitoring_grafana_dashboards_dir: ${root}/var/lib/grafana/dashboards/portsyncd`,
      '',
    ].join('\n'),
  );
  const render = cli(['monitoring', '-i', inv, '--out', assets]);
  assert.equal(render.code, 0, render.out);

  const first = cli([PLAY, '-i', inv]);
  assert.equal(first.code, 0, first.out);
  for (const rel of ['targets/portsyncd.json', 'rules/portsyncd.yml', 'prometheus.yml'])
    assert.equal(readFileSync(join(root, 'etc/prometheus', rel), 'utf8'), readFileSync(join(assets, rel), 'utf8'), rel);
  assert.equal(
    readFileSync(join(root, 'var/lib/grafana/dashboards/portsyncd/portsyncd.json'), 'utf8'),
    readFileSync(join(assets, 'grafana/portsyncd.json'), 'utf8'),
  );
  const provider = parse(readFileSync(join(root, 'etc/grafana/provisioning/dashboards/portsyncd.yaml'), 'utf8'));
  assert.equal(provider.providers[0].options.path, join(root, 'var/lib/grafana/dashboards/portsyncd'));
  const datasource = parse(readFileSync(join(root, 'etc/grafana/provisioning/datasources/portsyncd.yaml'), 'utf8'));
  assert.equal(datasource.datasources[0].url, 'http://localhost:9090');
  // The installed config is what Prometheus loads: it finds the installed targets and rules.
  const check = spawnSync('promtool', ['check', 'config', join(root, 'etc/prometheus/prometheus.yml')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  // No systemd on this machine: the reload handler's `when: facts.systemd` keeps it from running.
  assert.doesNotMatch(first.out, /HANDLER/);

  const again = cli([PLAY, '-i', inv]);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /ok=6 +changed=0 +unreachable=0 +failed=0/);

  // A rules file promtool rejects: not installed, the host stops there, the config is not touched.
  const installed = readFileSync(join(root, 'etc/prometheus/rules/portsyncd.yml'), 'utf8');
  appendFileSync(join(assets, 'rules/portsyncd.yml'), '      - alert: Broken\n        expr: rate(portsyncd_netlink_drops_total[5m] > 0\n');
  appendFileSync(join(assets, 'prometheus.yml'), '# changed too\n');
  const broken = cli([PLAY, '-i', inv]);
  assert.equal(broken.code, 1, broken.out);
  assert.match(broken.out, /TASK \[Prometheus recording and alert rules\]\nfailed: prom1[^\n]*\n?[\s\S]*?validate exit 1/);
  assert.match(broken.out, /parse error|could not parse|unclosed/i, 'promtool says why');
  assert.equal(readFileSync(join(root, 'etc/prometheus/rules/portsyncd.yml'), 'utf8'), installed);
  assert.doesNotMatch(readFileSync(join(root, 'etc/prometheus/prometheus.yml'), 'utf8'), /# changed too/);

  // Where the host has no promtool, nothing is checked: the same file goes in.
  const unchecked = cli([PLAY, '-i', inv, '-e', 'monitoring_promtool=']);
  assert.equal(unchecked.code, 0, unchecked.out);
  assert.match(readFileSync(join(root, 'etc/prometheus/rules/portsyncd.yml'), 'utf8'), /alert: Broken/);
});
