import { test } from 'node:test';
import assert from 'node:assert/strict';
import daemonScheduling from '../../../modules/daemon_scheduling/index.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVE_AWK, liveArgv, parseLive } from '../../../modules/daemon_scheduling/live.js';
import { fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { validateArgs } from './support.js';
import { applyChanges, planWith, tuningContext } from './tuning-support.js';

const DROPIN = '/etc/systemd/system/portsyncd.service.d/50-scheduling.conf';
const twoNodes = (): FakeFactsData => ({ host: { cpusOnline: [0, 1, 2, 3], numaNodes: [0, 1] } });

const latency = {
  cpu_affinity: '1',
  numa_policy: 'bind',
  numa_mask: '0',
  cpu_scheduling_policy: 'rr',
  cpu_scheduling_priority: 10,
  limit_nofile: 65536,
  limit_memlock: 'infinity',
  notify: ['restart portsyncd'],
};

test('renders the drop-in in a fixed order and notifies reload before the restart', () => {
  const r = planWith(daemonScheduling, twoNodes(), latency);
  assert.deepEqual(r.errors, []);
  assert.equal(r.changes.length, 1);
  const [c] = r.changes;
  assert.equal(c.summary, `create ${DROPIN}`);
  assert.deepEqual(c.notify, ['systemd daemon-reload', 'restart portsyncd']);
  const put = c.ops[0];
  assert.ok(put.kind === 'put');
  const body = put.content.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(body, [
    '[Service]',
    'CPUAffinity=1',
    'NUMAPolicy=bind',
    'NUMAMask=0',
    'CPUSchedulingPolicy=rr',
    'CPUSchedulingPriority=10',
    'LimitNOFILE=65536',
    'LimitMEMLOCK=infinity',
  ]);
  const applied = applyChanges(twoNodes(), r.changes);
  assert.deepEqual(planWith(daemonScheduling, applied, latency).changes, []);
  const states = daemonScheduling.inspect!(fakeFacts(applied), r.args, tuningContext());
  assert.ok(
    states.every((s) => s.ok && s.persisted === s.desired),
    JSON.stringify(states),
  );
  assert.equal(states.length, 7);
});

test('table: plan-time errors name the host, the value and the arg', () => {
  const rows: [Record<string, unknown>, string, (string | number)[]][] = [
    [{ cpu_affinity: '2-5' }, 'CPU list "2-5" names CPU 4-5, which is not online (online: 0-3)', ['cpu_affinity']],
    [{ numa_policy: 'bind', numa_mask: '0,2' }, 'numa_mask "0,2" names NUMA node 2, which does not exist (nodes: 0-1)', ['numa_mask']],
    [{ numa_policy: 'interleave' }, 'numa_policy "interleave" needs numa_mask', ['numa_mask']],
    [{ numa_policy: 'preferred', numa_mask: '0-1' }, 'numa_policy "preferred" takes exactly one node, got "0-1"', ['numa_mask']],
    [{ cpu_scheduling_policy: 'fifo' }, 'cpu_scheduling_policy "fifo" needs cpu_scheduling_priority (1-99)', ['cpu_scheduling_priority']],
    [
      { cpu_scheduling_policy: 'rr', cpu_scheduling_priority: 0 },
      'cpu_scheduling_policy "rr" needs cpu_scheduling_priority (1-99)',
      ['cpu_scheduling_priority'],
    ],
    [
      { nice: -5, cpu_scheduling_priority: 5 },
      'cpu_scheduling_priority applies only to the fifo and rr policies',
      ['cpu_scheduling_priority'],
    ],
  ];
  for (const [args, message, argPath] of rows) {
    const r = planWith(daemonScheduling, twoNodes(), args);
    assert.deepEqual(
      r.errors.map((e) => [e.message, e.argPath]),
      [[message, argPath]],
      JSON.stringify(args),
    );
    assert.deepEqual(r.changes, []);
  }
});

test('priority 0 goes with the normal policies', () => {
  const r = planWith(daemonScheduling, twoNodes(), { cpu_scheduling_policy: 'other', cpu_scheduling_priority: 0 });
  assert.deepEqual(r.errors, []);
  assert.equal(r.changes.length, 1);
});

test('warnings: nice under a real-time policy, NUMA bind on a single node', () => {
  const rt = planWith(daemonScheduling, twoNodes(), { nice: -10, cpu_scheduling_policy: 'rr', cpu_scheduling_priority: 10 });
  assert.match(rt.warnings[0], /nice -10 has no effect under the real-time policy "rr"/);
  const single = planWith(daemonScheduling, { host: { numaNodes: [0] } }, { numa_policy: 'bind', numa_mask: '0' });
  assert.match(single.warnings[0], /has no effect on a host with a single NUMA node/);
  assert.deepEqual(single.errors, []);
});

test('separate drop-ins per concern, and state absent removes one', () => {
  const pin = { dropin: '51-cpu-affinity.conf', cpu_affinity: '1' };
  const r = planWith(daemonScheduling, twoNodes(), pin);
  assert.equal(r.changes[0].summary, 'create /etc/systemd/system/portsyncd.service.d/51-cpu-affinity.conf');
  const applied = applyChanges(twoNodes(), r.changes);
  const gone = planWith(daemonScheduling, applied, { dropin: '51-cpu-affinity.conf', state: 'absent', notify: ['restart portsyncd'] });
  assert.deepEqual(
    gone.changes.map((c) => [c.summary, c.notify]),
    [['remove /etc/systemd/system/portsyncd.service.d/51-cpu-affinity.conf', ['systemd daemon-reload', 'restart portsyncd']]],
  );
  assert.deepEqual(
    planWith(daemonScheduling, applyChanges(applied, gone.changes), { dropin: '51-cpu-affinity.conf', state: 'absent' }).changes,
    [],
  );
});

test('an edited drop-in shows as a unified diff and as verify drift', () => {
  const a = { nice: -10, limit_nofile: 65536 };
  const applied = applyChanges(twoNodes(), planWith(daemonScheduling, twoNodes(), a).changes);
  const edited = { ...applied, files: { ...applied.files, [DROPIN]: applied.files![DROPIN].replace('Nice=-10', 'Nice=0') } };
  const r = planWith(daemonScheduling, edited, a);
  assert.match(r.changes[0].diff ?? '', /^-Nice=0\n\+Nice=-10$/m);
  const states = daemonScheduling.inspect!(fakeFacts(edited), r.args, tuningContext());
  assert.deepEqual(
    states.filter((s) => !s.ok).map((s) => [s.setting, s.persisted]),
    [['portsyncd.service Nice', '0']],
  );
});

test('schema: units, limits and ranges', () => {
  assert.equal(validateArgs(daemonScheduling.schema, { unit: 'portsyncd', nice: 0 }).ok, false);
  assert.equal(validateArgs(daemonScheduling.schema, { nice: -21 }).ok, false);
  assert.equal(validateArgs(daemonScheduling.schema, { limit_memlock: '64M:infinity' }).ok, true);
  assert.equal(validateArgs(daemonScheduling.schema, { limit_memlock: 'lots' }).ok, false);
  assert.equal(validateArgs(daemonScheduling.schema, { cpu_scheduling_policy: 'deadline' }).ok, false);
});

/** The live fact of a running daemon: nice, rt_priority and policy from its /proc/PID/stat. */
function running(opts: { cpus: string; nice: number; prio: number; policy: number; nofile: string; memlock: string }) {
  const stdout = [
    `Cpus_allowed_list:\t${opts.cpus}`,
    `sched: ${opts.nice} ${opts.prio} ${opts.policy}`,
    `Max processes             4096                 4096                 processes `,
    `Max open files            ${opts.nofile}                files     `,
    `Max locked memory         ${opts.memlock}              bytes     `,
  ].join('\n');
  return { rc: 0, stdout: stdout + '\n', stderr: '' };
}

/** The live side's awk run on a process folder, as the gather runs it. */
const liveLines = (procDir: string) => execFileSync('awk', [LIVE_AWK, procDir], { encoding: 'utf8' });

test('live side: nice, priority and policy counted from the field after the last ") ", the named lines only', () => {
  const stat = ['S', ...Array.from({ length: 49 }, (_, i) => String(i + 4))];
  stat[16] = '-10';
  stat[37] = '10';
  stat[38] = '2';
  const dir = mkdtempSync(join(tmpdir(), 'psd-stat-'));
  let lines: string;
  try {
    writeFileSync(join(dir, 'stat'), `598 (a) b) ${stat.join(' ')}\n`);
    writeFileSync(join(dir, 'status'), 'Name:\ta) b\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed_list:\t0\n');
    writeFileSync(
      join(dir, 'limits'),
      [
        'Limit                     Soft Limit           Hard Limit           Units     ',
        'Max cpu time              unlimited            unlimited            seconds   ',
        'Max processes             4096                 4096                 processes ',
        'Max open files            1024                 4096                 files     ',
        'Max locked memory         unlimited            unlimited            bytes     ',
        'Max open filesystems      1                    1                    fs        ',
        '',
      ].join('\n'),
    );
    lines = liveLines(dir);
    rmSync(join(dir, 'status'));
    assert.equal(liveLines(dir), lines.split('\n').slice(1).join('\n'), 'a file that cannot be read gives no line');
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.equal(
    lines,
    [
      'Cpus_allowed_list:\t0-1',
      'sched: -10 10 2',
      'Max processes             4096                 4096                 processes ',
      'Max open files            1024                 4096                 files     ',
      'Max locked memory         unlimited            unlimited            bytes     ',
      '',
    ].join('\n'),
  );
  assert.deepEqual(Object.fromEntries(parseLive({ rc: 0, stdout: lines, stderr: '' })), {
    CPUAffinity: '0-1',
    Nice: '-10',
    CPUSchedulingPriority: '10',
    CPUSchedulingPolicy: 'rr',
    LimitNPROC: '4096',
    LimitNOFILE: '1024:4096',
    LimitMEMLOCK: 'infinity',
  });
  assert.equal(parseLive({ rc: 0, stdout: '', stderr: '' }).size, 0, 'a stopped daemon has no live side');
});

test('live side: the script picks the same lines of a running process as grep does, with one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-live-'));
  try {
    const log = join(dir, 'started');
    writeFileSync(log, '');
    // systemctl names this test's own process as the unit's main PID; the commands a script
    // could start to read files are logged as they start.
    writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\necho systemctl >> '${log}'\necho ${process.pid}\n`, { mode: 0o755 });
    for (const cmd of ['awk', 'grep', 'cat', 'sed', 'head', 'cut', 'tr']) {
      const real = execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
      writeFileSync(join(dir, cmd), `#!/bin/sh\necho ${cmd} >> '${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    const [, , script, ...args] = liveArgv('portsyncd.service');
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    const got = execFileSync('sh', ['-c', script!, ...args], { encoding: 'utf8', env });
    const grep = (pattern: string, file: string) =>
      execFileSync('grep', ['-E', pattern, `/proc/${process.pid}/${file}`], { encoding: 'utf8' });
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(') ') + 2)
      .trim()
      .split(/\s+/);
    const sched = `sched: ${fields[16]} ${fields[37]} ${fields[38]}\n`;
    assert.equal(got, grep('^Cpus_allowed_list:', 'status') + sched + grep('^Max (open files|processes|locked memory) ', 'limits'));
    assert.match(sched, /^sched: -?\d+ \d+ \d+\n$/);
    // In the gather, the main PID comes from its own systemctl show: awk alone starts.
    writeFileSync(log, '');
    const inGather = `psd_unit_pid() { psd_pid=${process.pid}; }\n${script!}`;
    assert.equal(execFileSync('sh', ['-c', inGather, ...args], { encoding: 'utf8', env }), got);
    assert.equal(readFileSync(log, 'utf8'), 'awk\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify: a drop-in the running daemon does not have yet is drift, though the file matches', () => {
  const args = {
    cpu_affinity: '1',
    nice: -10,
    cpu_scheduling_policy: 'rr',
    cpu_scheduling_priority: 10,
    limit_nofile: 65536,
    limit_memlock: '64M',
  };
  const r = planWith(daemonScheduling, twoNodes(), args);
  const applied = applyChanges(twoNodes(), r.changes);
  const argv = liveArgv('portsyncd.service').join(' ');
  const inspect = (proc: Parameters<typeof running>[0]) =>
    daemonScheduling.inspect!(fakeFacts({ ...applied, cmds: { [argv]: running(proc) } }), r.args, tuningContext());

  const restarted = inspect({
    cpus: '1',
    nice: 0,
    prio: 10,
    policy: 2,
    nofile: '65536                65536',
    memlock: '67108864              67108864',
  });
  assert.deepEqual(
    restarted.filter((s) => !s.ok),
    [{ setting: 'portsyncd.service Nice', desired: '-10', persisted: '-10', live: '0', ok: false }],
  );
  assert.equal(restarted.find((s) => s.setting.endsWith('LimitMEMLOCK'))!.live, '67108864');

  const stale = inspect({
    cpus: '0-3',
    nice: -10,
    prio: 0,
    policy: 0,
    nofile: '20000                20000',
    memlock: '67108864              67108864',
  });
  assert.deepEqual(
    stale.filter((s) => !s.ok).map((s) => [s.setting, s.live]),
    [
      ['portsyncd.service CPUAffinity', '0-3'],
      ['portsyncd.service CPUSchedulingPolicy', 'other'],
      ['portsyncd.service CPUSchedulingPriority', '0'],
      ['portsyncd.service LimitNOFILE', '20000'],
    ],
  );
  assert.ok(inspect({ cpus: '1', nice: -10, prio: 10, policy: 2, nofile: '65536 65536', memlock: '67108864 67108864' }).every((s) => s.ok));
});
