// Queued runs with the real parts: a redis-server of the test's own, worker processes and the CLI,
// against chroot roots (and local-connection hosts writing only in a temp folder, where a job
// must last long enough to kill its worker). Each test asserts what a user relies on: the same
// effect and recap as a local run, a killed worker's host converged by another, exit 4 for a
// group nobody serves, no secret in Redis, and no success claimed when Redis lost the queue.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../../helpers/redis-server.js';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, TestWorker, cli, cliAsync, comparable, sleep, waitFor } from './fleet.js';

const SECRET = 'queue-test-s3cret-9f2c7';
let redis: RedisServer;
const workers: TestWorker[] = [];
let dir = '';
let vaultPass = '';
let vaultValue = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'psd-queue-'));
  vaultPass = join(dir, 'vault-pass');
  writeFileSync(vaultPass, 'queue-test-vault-password\n', { mode: 0o600 });
  const enc = cli(['vault', 'encrypt_string', '--vault-password-file', vaultPass, '--name', 'api_token', SECRET]);
  assert.equal(enc.code, 0, enc.err);
  vaultValue = enc.out;
  mkdirSync(join(dir, 'redis'));
  redis = await RedisServer.onFreePort(join(dir, 'redis'));
  await redis.start();
  for (let i = 0; i < 3; i++) workers.push(poolWorker());
  await Promise.all(workers.map((w) => w.ready()));
});

/** A worker of the shared pool: a short job lock, so a killed worker's job is taken again soon. */
function poolWorker(): TestWorker {
  return new TestWorker(redis.url, ['--lock-seconds', '3', '--vault-password-file', vaultPass]);
}

/** Puts a fresh worker in the pool in place of a killed one. */
async function replaceWorker(victim: TestWorker): Promise<void> {
  workers.splice(workers.indexOf(victim), 1);
  await victim.stop();
  const fresh = poolWorker();
  workers.push(fresh);
  await fresh.ready();
}

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fleet of chroot roots in its own folder; `vars` go to every host. */
function chrootFleet(name: string, n: number, playbook: string, vars = ''): { inv: string; site: string; roots: string } {
  const roots = join(dir, name);
  mkdirSync(join(roots, 'inv', 'group_vars'), { recursive: true });
  const hosts = Array.from({ length: n }, (_, i) => `sw${String(i + 1).padStart(2, '0')}`);
  for (const h of hosts) mkdirSync(join(roots, h, 'etc'), { recursive: true });
  writeFileSync(
    join(roots, 'inv', 'hosts.yaml'),
    `all:\n  vars:\n    connection: chroot\n  hosts:\n${hosts.map((h) => `    ${h}:\n      chroot_dir: ${join(roots, h)}\n`).join('')}`,
  );
  writeFileSync(join(roots, 'inv', 'group_vars', 'all.yaml'), `${vaultValue}\n${vars}`);
  writeFileSync(join(roots, 'site.yaml'), playbook);
  return { inv: join(roots, 'inv'), site: join(roots, 'site.yaml'), roots };
}

function tree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(root, rel))) {
    const p = join(rel, e);
    const st = statSync(join(root, p));
    if (st.isDirectory()) Object.assign(out, tree(root, p));
    else out[p] = `${(st.mode & 0o7777).toString(8)} ${readFileSync(join(root, p), 'utf8')}`;
  }
  return out;
}

const SITE = `- name: configure
  hosts: all
  serial: 2
  tasks:
    - name: motd
      copy:
        dest: /etc/motd
        content: "managed on {{ inventory_hostname }}\\n"
    - name: token
      copy:
        dest: /etc/token
        content: "{{ api_token }}\\n"
        mode: "0600"
      no_log: true
      notify: touched
  handlers:
    - name: touched
      copy:
        dest: /etc/touched
        content: "yes\\n"
`;

const vaultArgs = () => ['--vault-password-file', vaultPass];

test('a queued run has the effect, events and recap of a local run; no secret reaches Redis', async () => {
  const local = chrootFleet('local', 5, SITE);
  const queued = chrootFleet('queued', 5, SITE);
  const a = cli([local.site, '-i', local.inv, '--json', ...vaultArgs()]);
  const b = cli([queued.site, '-i', queued.inv, '--json', '--queue', redis.url, ...vaultArgs()]);
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err + b.out);
  assert.deepEqual(comparable(b.out.replaceAll(queued.roots, '')), comparable(a.out.replaceAll(local.roots, '')));
  for (const h of ['sw01', 'sw05']) assert.deepEqual(tree(join(queued.roots, h)), tree(join(local.roots, h)));
  assert.ok(readFileSync(join(queued.roots, 'sw03/etc/token'), 'utf8').includes(SECRET), 'the worker opened the vault');
  assert.ok(!b.out.includes(SECRET));

  // Again: nothing to do, the same on both sides.
  const c = cli([queued.site, '-i', queued.inv, '--json', '--queue', redis.url, ...vaultArgs()]);
  const d = cli([local.site, '-i', local.inv, '--json', ...vaultArgs()]);
  assert.equal(c.code, 0, c.err);
  assert.deepEqual(comparable(c.out.replaceAll(queued.roots, '')), comparable(d.out.replaceAll(local.roots, '')));

  const found = await scanRedis(SECRET);
  assert.deepEqual(found.checked > 0, true, 'Redis holds the run');
  assert.deepEqual(found.hits, [], 'no key or stream entry holds the secret');
});

/** How many jobs of each kind Redis holds. */
async function jobKinds(): Promise<Record<string, number>> {
  const c = redis.client();
  const kinds: Record<string, number> = {};
  try {
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', 'psd:hosts.*:*', 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        if ((await c.type(key)) !== 'hash') continue;
        const name = await c.hget(key, 'name');
        if (name) kinds[name] = (kinds[name] ?? 0) + 1;
      }
    } while (cursor !== '0');
  } finally {
    c.disconnect();
  }
  return kinds;
}

function diffKinds(now: Record<string, number>, then: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(now).flatMap(([k, n]) => (n - (then[k] ?? 0) ? [[k, n - (then[k] ?? 0)]] : [])));
}

test('check mode through the queue plans like a local check and exits 2', () => {
  const f = chrootFleet('check', 3, SITE);
  const local = cli([f.site, '-i', f.inv, '--json', '--check', ...vaultArgs()]);
  const queued = cli([f.site, '-i', f.inv, '--json', '--check', '--queue', redis.url, ...vaultArgs()]);
  assert.equal(local.code, 2);
  assert.equal(queued.code, 2, queued.err);
  assert.deepEqual(comparable(queued.out), comparable(local.out));
  assert.ok(!existsSync(join(f.roots, 'sw01/etc/motd')), 'check mode changed nothing');
});

test('playbook keywords run through the queue as they run locally: register, block/rescue, flush_handlers, --start-at-task', () => {
  // Local-connection hosts, each writing under its own folder: the commands run for real.
  const fleet = (name: string) => {
    const work = join(dir, name);
    mkdirSync(join(work, 'inv'), { recursive: true });
    for (const h of ['k1', 'k2']) mkdirSync(join(work, h));
    writeFileSync(
      join(work, 'inv', 'hosts.yaml'),
      `all:\n  vars:\n    connection: local\n    work: ${work}\n  hosts:\n    k1: {}\n    k2: {}\n`,
    );
    writeFileSync(
      join(work, 'site.yaml'),
      `- name: keywords
  hosts: all
  vars:
    at: "{{ work }}/{{ inventory_hostname }}"
  tasks:
    - name: left out
      copy: { dest: "{{ at }}/left-out", content: "x\\n" }
    - name: read
      command: echo "{{ inventory_hostname }}"
      register: who
      changed_when: false
    - block:
        - name: named
          copy: { dest: "{{ at }}/who", content: "{{ who.stdout }}\\n" }
          notify: touched
        - name: breaks
          command: /bin/false
      rescue:
        - name: recovered
          copy: { dest: "{{ at }}/rescued", content: "{{ who.stdout }}\\n" }
    - meta: flush_handlers
    - name: last
      copy: { dest: "{{ at }}/last", content: "done\\n" }
  handlers:
    - name: touched
      copy: { dest: "{{ at }}/touched", content: "yes\\n" }
`,
    );
    return { work, site: join(work, 'site.yaml'), inv: join(work, 'inv') };
  };
  const local = fleet('kw-local');
  const queued = fleet('kw-queued');
  const args = ['--json', '--start-at-task', 'read'];
  const a = cli([local.site, '-i', local.inv, ...args]);
  const b = cli([queued.site, '-i', queued.inv, ...args, '--queue', redis.url]);
  assert.equal(a.code, 0, a.err + a.out);
  assert.equal(b.code, 0, b.err + b.out);
  assert.deepEqual(comparable(b.out.replaceAll(queued.work, '')), comparable(a.out.replaceAll(local.work, '')));
  for (const h of ['k1', 'k2']) assert.deepEqual(tree(join(queued.work, h)), tree(join(local.work, h)));
  assert.equal(readFileSync(join(queued.work, 'k2/rescued'), 'utf8'), 'k2\n');
  assert.equal(readFileSync(join(queued.work, 'k1/touched'), 'utf8'), 'yes\n');
  assert.ok(!existsSync(join(queued.work, 'k1/left-out')), 'the worker started at the same task');
  const recap = JSON.parse(b.out.trim().split('\n').at(-1)!);
  assert.equal(recap.hosts.k1.rescued, 1);
});

test('a host routed to a group no worker serves is unreachable (exit 4); the others are applied', () => {
  const f = chrootFleet('nogroup', 2, SITE);
  writeFileSync(
    join(f.inv, 'hosts.yaml'),
    readFileSync(join(f.inv, 'hosts.yaml'), 'utf8').replace(/(sw02:\n)/, '$1      portsync_worker_group: site-b\n'),
  );
  const r = cli([f.site, '-i', f.inv, '--json', '--queue', redis.url, '--queue-timeout', '2', ...vaultArgs()]);
  assert.equal(r.code, 4, r.err + r.out);
  const recap = JSON.parse(r.out.trim().split('\n').at(-1)!);
  assert.equal(recap.hosts.sw02.unreachable, 1);
  assert.equal(recap.hosts.sw01.changed, 3);
  assert.match(r.out, /no worker serves group \\"site-b\\"/);
  assert.ok(!existsSync(join(f.roots, 'sw02/etc/motd')));
});

test('through one worker, a queued run costs the round trips of the local run: cold 2 per host (one apply job), nothing to change 1 (no job)', async () => {
  const local = chrootFleet('trips-local', 3, SITE);
  const queued = chrootFleet('trips', 3, SITE);
  writeFileSync(
    join(queued.inv, 'hosts.yaml'),
    readFileSync(join(queued.inv, 'hosts.yaml'), 'utf8').replace('    connection: chroot\n', '$&    portsync_worker_group: solo\n'),
  );
  // One worker takes every job: the facts its preflight read serve the apply job, as in a local run.
  const solo = new TestWorker(redis.url, ['--group', 'solo', '--vault-password-file', vaultPass]);
  workers.push(solo);
  await solo.ready();
  const trips = (out: string) => {
    const recap = JSON.parse(out.trim().split('\n').at(-1)!) as { hosts: Record<string, { round_trips: number }> };
    return Object.fromEntries(Object.entries(recap.hosts).map(([h, r]) => [h, r.round_trips]));
  };
  const passes = [
    // The preflight's gather, then one exec that checks, applies and gathers for the verify.
    { pass: 'cold', each: 2, jobs: { preflight: 3, apply: 3 } },
    { pass: 'nothing to change', each: 1, jobs: { preflight: 3 } },
  ];
  for (const { pass, each, jobs } of passes) {
    const jobsBefore = await jobKinds();
    const a = cli([local.site, '-i', local.inv, '--json', ...vaultArgs()]);
    const b = cli([queued.site, '-i', queued.inv, '--json', '--queue', redis.url, ...vaultArgs()]);
    assert.equal(a.code, 0, a.err + a.out);
    assert.equal(b.code, 0, b.err + b.out);
    assert.deepEqual(trips(b.out), trips(a.out), `${pass}: round trips per host`);
    assert.deepEqual(Object.values(trips(b.out)), [each, each, each], pass);
    assert.deepEqual(diffKinds(await jobKinds(), jobsBefore), jobs, `${pass}: jobs`);
  }
  assert.equal(readFileSync(join(queued.roots, 'sw02/etc/touched'), 'utf8'), 'yes\n');
});

/** Events without what differs from run to run on its own: the roots' folder, the gate's token. */
const same = (out: string, roots: string) => comparable(out.replaceAll(roots, '').replace(/rollback\/[\w-]+/g, 'rollback/TOKEN'));

test('a canaried play whose health gate fails through the queue rolls back and halts as a local run does; no secret reaches Redis', async () => {
  const gated = SITE.replace('serial: 2', 'serial: 1').replace(
    '  tasks:',
    `  health:
    - name: daemon healthy
      health_check:
        not_probed: "{{ probe_policy }}"
        unit_absent: pass
  tasks:`,
  );
  const fleets = ['gate-local', 'gate-queued'].map((name) => {
    const f = chrootFleet(name, 3, gated, 'probe_policy: pass\n');
    writeFileSync(
      join(f.inv, 'hosts.yaml'),
      readFileSync(join(f.inv, 'hosts.yaml'), 'utf8').replace(/(sw02:\n)/, '$1      probe_policy: fail\n'),
    );
    for (const h of ['sw01', 'sw02', 'sw03']) writeFileSync(join(f.roots, h, 'etc/motd'), 'before\n');
    return f;
  });
  const [local, queued] = fleets as [ReturnType<typeof chrootFleet>, ReturnType<typeof chrootFleet>];
  const before = tree(join(queued.roots, 'sw02'));
  const a = cli([local.site, '-i', local.inv, '--json', ...vaultArgs()]);
  const kinds = await jobKinds();
  // -vvvv: the workers also send every round trip and the steps of each script through Redis.
  const b = cli([queued.site, '-i', queued.inv, '--json', '-vvvv', '--queue', redis.url, ...vaultArgs()]);
  assert.equal(a.code, 1, a.err + a.out);
  assert.equal(b.code, 1, b.err + b.out);
  assert.deepEqual(same(b.out, queued.roots), same(a.out, local.roots));
  // The secret went through the gate: kept, applied, rolled back on sw02, applied on sw01.
  assert.ok(readFileSync(join(queued.roots, 'sw01/etc/token'), 'utf8').includes(SECRET));
  const found = await scanRedis(SECRET);
  const ran = diffKinds(await jobKinds(), kinds);
  assert.ok(
    ran.apply && ran.probe && ran.rollback,
    `the scan covers the gated run's apply, probe and rollback jobs: ${JSON.stringify(ran)}`,
  );
  assert.deepEqual(found.hits, [], 'no key, stream entry or job payload holds the secret');
  const halt = JSON.parse(b.out.split('\n').find((l) => l.includes('"halt"'))!);
  assert.match(halt.reason, /health gate: batch of sw02 failed .*rolled back: sw02 \(1 restored, 2 removed, then .*not started: sw03/);
  // The canary before it stays applied, the failed batch is back as it was, the last never started.
  assert.equal(readFileSync(join(queued.roots, 'sw01/etc/motd'), 'utf8'), 'managed on sw01\n');
  const after = tree(join(queued.roots, 'sw02'));
  assert.deepEqual(
    Object.fromEntries(Object.entries(after).filter(([p]) => p.startsWith('etc/') && p !== 'etc/touched')),
    Object.fromEntries(Object.entries(before).filter(([p]) => p.startsWith('etc/'))),
  );
  assert.equal(readFileSync(join(queued.roots, 'sw03/etc/motd'), 'utf8'), 'before\n');
  for (const h of ['sw01', 'sw02', 'sw03']) {
    const files = (f: ReturnType<typeof chrootFleet>) =>
      Object.fromEntries(Object.entries(tree(join(f.roots, h))).filter(([p]) => !p.startsWith('var/lib/portsync-deploy')));
    assert.deepEqual(files(queued), files(local), `${h} ends as in the local run`);
  }
});

test('any_errors_fatal through the queue: a task failing on one host stops the others before their next task', () => {
  const fatal = SITE.replace('serial: 2', 'any_errors_fatal: true').replace(
    '    - name: token',
    `    - name: blocked
      copy:
        dest: /etc/blocker/file
        content: "x\\n"
    - name: token`,
  );
  const [local, queued] = ['fatal-local', 'fatal-queued'].map((name) => {
    const f = chrootFleet(name, 3, fatal);
    writeFileSync(join(f.roots, 'sw02/etc/blocker'), 'a file where a folder must be\n');
    return f;
  }) as [ReturnType<typeof chrootFleet>, ReturnType<typeof chrootFleet>];
  const a = cli([local.site, '-i', local.inv, '--json', ...vaultArgs()]);
  const b = cli([queued.site, '-i', queued.inv, '--json', '--queue', redis.url, ...vaultArgs()]);
  assert.equal(a.code, 1, a.err + a.out);
  assert.equal(b.code, 1, b.err + b.out);
  assert.deepEqual(same(b.out, queued.roots), same(a.out, local.roots));
  assert.match(b.out, /any_errors_fatal: 1 host failed or unreachable/);
  for (const h of ['sw01', 'sw02', 'sw03']) {
    assert.deepEqual(tree(join(queued.roots, h)), tree(join(local.roots, h)), `${h} ends as in the local run`);
    assert.ok(existsSync(join(queued.roots, h, 'etc/motd')), `${h} ran the first task`);
    assert.ok(!existsSync(join(queued.roots, h, 'etc/token')), `${h} started no task after the failure`);
  }
  assert.ok(existsSync(join(queued.roots, 'sw01/etc/blocker/file')), 'the others finished the failing task');
});

/** Local-connection hosts whose jobs last: a real command sleeps `seconds`, writing only under `work`. */
/** Every host of a slowFleet converged, and its slow step ran once, never twice at the same time. */
function assertSlowStepRanOnce(work: string, hosts: string[]): void {
  for (const h of hosts) {
    assert.equal(readFileSync(join(work, h, 'last'), 'utf8'), '3\n', `${h} converged`);
    assert.equal(readFileSync(join(work, h, 'log'), 'utf8'), 'start\nend\n', `${h}: the slow step ran once, never twice at the same time`);
  }
}

function slowFleet(name: string, hosts: string[], seconds: number): { work: string; site: string; inv: string } {
  const work = join(dir, name);
  mkdirSync(join(work, 'inv'), { recursive: true });
  for (const h of hosts) mkdirSync(join(work, h));
  writeFileSync(
    join(work, 'inv', 'hosts.yaml'),
    `all:\n  vars:\n    connection: local\n    work: ${work}\n  hosts:\n${hosts.map((h) => `    ${h}: {}\n`).join('')}`,
  );
  writeFileSync(
    join(work, 'site.yaml'),
    `- name: slow
  hosts: all
  serial: 2
  tasks:
    - name: first
      copy:
        dest: "{{ work }}/{{ inventory_hostname }}/first"
        content: "1\\n"
    - name: slow step
      command:
        argv: [/bin/sh, -c, 'echo start >> "$0/log"; sleep ${seconds}; echo end >> "$0/log"; touch "$0/slept"', "{{ work }}/{{ inventory_hostname }}"]
        creates: "{{ work }}/{{ inventory_hostname }}/slept"
    - name: last
      copy:
        dest: "{{ work }}/{{ inventory_hostname }}/last"
        content: "3\\n"
`,
  );
  return { work, site: join(work, 'site.yaml'), inv: join(work, 'inv') };
}

test("the workers' events reach the coordinator as they happen: a host's running task shows before its job ends; -vvv shows the workers' round trips", async () => {
  const hosts = ['l1', 'l2'];
  const { work, site, inv } = slowFleet('live', hosts, 3);
  const p = spawn(process.execPath, [BIN, site, '-i', inv, '--json', '--queue', redis.url], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', r));
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; host?: string; task?: string });
  const slow = await waitFor(
    'a host shown in its slow step',
    () => events().find((e) => e.event === 'task_running' && e.task === 'slow step'),
    60_000,
  );
  // Seen while the step still sleeps on the host: the worker's job has not ended.
  assert.ok(!existsSync(join(work, slow.host!, 'slept')), 'the step is still running');
  assert.ok(!events().some((e) => e.event === 'result' && e.host === slow.host), 'no result of that host yet');
  assert.equal(await exited, 0, out);
  const running = events()
    .filter((e) => e.event === 'task_running' && e.host === slow.host)
    .map((e) => e.task);
  assert.deepEqual(running, ['first', 'slow step', 'last'], 'each task with a change, once, in order');

  // The local run shows the same events.
  for (const h of hosts) {
    rmSync(join(work, h), { recursive: true });
    mkdirSync(join(work, h));
  }
  const local = cli([site, '-i', inv, '--json']);
  assert.equal(local.code, 0, local.err);
  const only = (s: string) =>
    s
      .split('\n')
      .filter((l) => l.includes('"task_running"'))
      .sort();
  assert.deepEqual(only(local.out), only(out));

  // -vvv on the coordinator: the workers' connections and execs, each naming its worker.
  const v = cli([site, '-i', inv, '-vvv', '--queue', redis.url]);
  assert.equal(v.code, 0, v.err);
  const pids = workers.map((w) => w.pid);
  const connected = v.err.split('\n').filter((l) => /^l[12]: connected \(local\) in \d+ ms \(worker .+:\d+\)$/.test(l));
  assert.equal(connected.length, 2, v.err);
  for (const l of connected) assert.ok(pids.includes(Number(/:(\d+)\)$/.exec(l)![1])), l);
  assert.match(v.err, /^l1: exec 1: .* rc 0, \d+ bytes out, \d+ ms \(worker /m);
});

test('a worker killed in the middle of a host job: another takes it, plans afresh, the host converges', async () => {
  const hosts = ['k1', 'k2', 'k3', 'k4'];
  const { work } = slowFleet('killed', hosts, 2);
  const running = cliAsync([join(work, 'site.yaml'), '-i', join(work, 'inv'), '--json', '--queue', redis.url]);
  // The first host of the batch whose apply is under way: its worker is the sleep's ancestor.
  const [victim, busyHost] = await waitFor(
    'a host job in its slow step',
    () => {
      for (const w of workers) {
        if (w.proc.exitCode !== null) continue;
        const host = descendants(w.pid)
          .map((c) => new RegExp(`${work}/(k\\d)`).exec(cmdline(c))?.[1])
          .find((h) => h);
        if (host) return [w, host] as const;
      }
      return undefined;
    },
    60_000,
  );
  victim.proc.kill('SIGKILL');
  const r = await running;
  assert.equal(r.code, 0, r.err + r.out);
  assertSlowStepRanOnce(work, hosts);
  const results = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'result' && e.host === busyHost);
  // The job taken again planned on what the killed worker had left: `first` was done already
  // (the killed worker's script, cut off from it, ran to its end on the host).
  assert.equal(results.find((e) => e.task === 'first')?.status, 'ok');
  assert.ok(
    results.every((e) => e.status === 'ok' || e.status === 'changed'),
    JSON.stringify(results),
  );
  assert.ok(victim.proc.signalCode === 'SIGKILL');
  await replaceWorker(victim);
});

test("a job taken again while the killed worker's apply script still runs on the host waits for the host's apply lock: the step runs once", async () => {
  // The step outlasts the job's lock (3 s): the job is taken again while the script still sleeps.
  const hosts = ['m1', 'm2'];
  const { work, site, inv } = slowFleet('locked', hosts, 8);
  const running = cliAsync([site, '-i', inv, '--json', '--queue', redis.url]);
  const victim = await waitFor(
    'a host job in its slow step',
    () => workers.find((w) => w.proc.exitCode === null && descendants(w.pid).some((c) => cmdline(c).includes(`${work}/m`))),
    60_000,
  );
  victim.proc.kill('SIGKILL');
  const r = await running;
  assert.equal(r.code, 0, r.err + r.out);
  assertSlowStepRanOnce(work, hosts);
  await replaceWorker(victim);
});

test('a host whose apply lock stays held fails clearly after apply_lock_wait, with nothing applied', async () => {
  const f = chrootFleet('held', 2, SITE);
  const lock = join(f.roots, 'sw01/var/lib/portsync-deploy/apply.lock');
  mkdirSync(join(f.roots, 'sw01/var/lib/portsync-deploy'), { recursive: true });
  // One process holds it (the shell becomes the sleep), so killing that PID releases it.
  const holder = spawn('sh', ['-c', 'exec 9>>"$0" && flock 9 && exec sleep 60', lock], { stdio: 'ignore' });
  try {
    await waitFor('the lock held', () => spawnSync('flock', ['-n', lock, 'true']).status === 1 || undefined);
    const r = cli([f.site, '-i', f.inv, '--json', '--queue', redis.url, '-e', 'apply_lock_wait=1', ...vaultArgs()]);
    assert.equal(r.code, 1, r.err + r.out);
    const failed = r.out
      .split('\n')
      .filter((l) => l.includes('"result"'))
      .map((l) => JSON.parse(l))
      .filter((e) => e.host === 'sw01');
    assert.equal(failed.length, 1, r.out);
    assert.equal(failed[0].status, 'failed');
    assert.match(
      failed[0].msg,
      /another apply on this host still holds \/var\/lib\/portsync-deploy\/apply\.lock after 1 s .*nothing was applied/,
    );
    assert.ok(!existsSync(join(f.roots, 'sw01/etc/motd')), 'nothing was applied on sw01');
    assert.equal(readFileSync(join(f.roots, 'sw02/etc/motd'), 'utf8'), 'managed on sw02\n');
  } finally {
    holder.kill('SIGKILL');
  }
});

test('Redis restarted without its data in the middle of a run: the run fails clearly, no host is called a success it was not', async () => {
  const f = chrootFleet('restart', 2, SITE.replace('serial: 2', 'serial: 1'));
  const running = cliAsync([f.site, '-i', f.inv, '--json', '--queue', redis.url, '--queue-timeout', '3', ...vaultArgs()]);
  await waitFor('the first host applied', () => existsSync(join(f.roots, 'sw01/etc/touched')) || undefined, 60_000);
  await redis.kill();
  await sleep(500);
  await redis.start();
  const r = await running;
  const recap = JSON.parse(r.out.trim().split('\n').at(-1)!);
  for (const h of ['sw01', 'sw02']) {
    const applied = existsSync(join(f.roots, h, 'etc/touched'));
    const { ok, changed, failed, unreachable } = recap.hosts[h];
    if (ok + changed > 0) assert.ok(applied, `${h} is called a success only when it was applied: ${r.out}`);
    if (r.code === 0) assert.ok(applied && failed + unreachable === 0, `a run that succeeds applied ${h}`);
  }
  // The lost job is named, unless it had answered before Redis went (then the run resumed).
  if (r.code !== 0) assert.match(r.out, /the job is gone from the queue|the queue did not answer/);
  await Promise.all(workers.map((w) => waitFor('worker back on Redis', () => w.proc.exitCode === null || undefined)));
});

test('Redis killed and restarted with its data (append-only file) in the middle of a run: the run resumes and converges every host', async () => {
  mkdirSync(join(dir, 'redis-aof'));
  const kept = await RedisServer.onFreePort(join(dir, 'redis-aof'), true);
  await kept.start();
  const worker = new TestWorker(kept.url, ['--lock-seconds', '3', '--vault-password-file', vaultPass]);
  try {
    await worker.ready();
    const f = chrootFleet('resume', 3, SITE.replace('serial: 2', 'serial: 1'));
    const running = cliAsync([f.site, '-i', f.inv, '--json', '--queue', kept.url, '--queue-timeout', '20', ...vaultArgs()]);
    await waitFor('the first host applied', () => existsSync(join(f.roots, 'sw01/etc/touched')) || undefined, 60_000);
    await kept.kill();
    await sleep(1000);
    await kept.start();
    const r = await running;
    assert.equal(r.code, 0, r.err + r.out);
    const recap = JSON.parse(r.out.trim().split('\n').at(-1)!);
    for (const h of ['sw01', 'sw02', 'sw03']) {
      assert.equal(readFileSync(join(f.roots, h, 'etc/motd'), 'utf8'), `managed on ${h}\n`);
      assert.deepEqual([recap.hosts[h].failed, recap.hosts[h].unreachable], [0, 0], h);
    }
  } finally {
    await worker.stop();
    await kept.stop();
  }
});

function descendants(pid: number): number[] {
  const kids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(e), ...descendants(Number(e)));
    } catch {
      // the process ended while we looked
    }
  }
  return kids;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Every key, read by its type (strings, hashes, lists, sets, sorted sets, streams), for `needle`. */
async function scanRedis(needle: string): Promise<{ checked: number; hits: string[] }> {
  const c = redis.client();
  const hits: string[] = [];
  let checked = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', '*', 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        checked++;
        const type = await c.type(key);
        let text = '';
        if (type === 'string') text = (await c.get(key)) ?? '';
        else if (type === 'hash') text = JSON.stringify(await c.hgetall(key));
        else if (type === 'list') text = JSON.stringify(await c.lrange(key, 0, -1));
        else if (type === 'set') text = JSON.stringify(await c.smembers(key));
        else if (type === 'zset') text = JSON.stringify(await c.zrange(key, '0', '-1', 'WITHSCORES'));
        else if (type === 'stream') text = JSON.stringify(await c.xrange(key, '-', '+'));
        if (text.includes(needle)) hits.push(`${type} ${key}`);
      }
    } while (cursor !== '0');
  } finally {
    c.disconnect();
  }
  return { checked, hits };
}
