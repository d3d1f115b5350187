// The load benchmark's generated 1,000-switch fleet, planned with the site playbook on empty
// offline roots: the grouped text fits in 1,000 lines, and every host's results (status, message,
// warnings, summaries, diffs) and recap counts read back from it equal the --json detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFleet } from '../../../bench/load/inventory.js';
import { readGrouped } from '../../helpers/grouped-text.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

test('site plan of 1,000 switches: at most 1,000 lines of grouped text, and nothing lost', { timeout: 600_000 }, (t) => {
  if (!existsSync(join(REPO, 'build/portsyncd/LATEST'))) {
    const b = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(b.status, 0, `npm run bundle: ${b.stderr}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'psd-grouped-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFleet(join(dir, 'inv'), 1000, 20);
  const args = [
    'plan',
    join(REPO, 'playbooks/site.yaml'),
    '-i',
    join(dir, 'inv'),
    '-e',
    'connection=chroot',
    '-e',
    `chroot_dir=${dir}/roots/{{inventory_hostname}}`,
  ];
  const cli = (extra: string[]) =>
    spawnSync(process.execPath, [BIN, ...args, ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 30 });

  const hosts = [...readFileSync(join(dir, 'inv/hosts.yaml'), 'utf8').matchAll(/^ +((?:spine|leaf)-\d+):/gm)].map((m) => m[1]!);
  assert.equal(hosts.length, 1000);
  for (const h of hosts) mkdirSync(join(dir, 'roots', h), { recursive: true });

  const full = cli(['--json']);
  assert.equal(full.status, 2, full.stderr);
  const text = cli([]);
  assert.equal(text.status, 2, text.stderr);
  const lines = text.stdout.split('\n').length;
  assert.ok(lines <= 1000, `${lines} lines`);

  const detail = full.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const key = (r: { play: string; host: string; task: string; handler?: boolean }) =>
    `${r.play}\0${r.host}\0${r.handler ? 'h' : 't'}\0${r.task}`;
  const expected = new Map<string, unknown>();
  let play = '';
  for (const e of detail) {
    if (e.event === 'play_start') play = e.play;
    if (e.event !== 'result') continue;
    expected.set(key({ ...e, play }), { status: e.status, msg: e.msg, warnings: e.warnings ?? [], changes: e.changes });
  }
  const back = readGrouped(text.stdout);
  const got = new Map(back.results.map((r) => [key(r), { status: r.status, msg: r.msg, warnings: r.warnings, changes: r.changes }]));
  assert.equal(got.size, expected.size);
  assert.equal(back.results.length, expected.size, 'each host and task appears once');
  for (const [k, v] of expected) assert.deepEqual(got.get(k), v, k.replaceAll('\0', ' / '));
  assert.ok(
    back.results.some((r) => r.outlier && r.host === 'leaf-51'),
    'host_vars make leaf-51 an outlier',
  );
  const recap = detail.at(-1)!;
  assert.equal(recap.event, 'recap');
  for (const h of hosts) {
    const { round_trips: _, ...counts } = recap.hosts[h];
    assert.deepEqual(back.recap.get(h), counts, h);
  }
});
