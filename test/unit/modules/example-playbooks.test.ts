// The shipped example fleet and playbooks, through the CLI on temp chroot roots (offline: no live
// kernel or systemd is touched). The root's proc/sys lists which sysctl keys "exist".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');
const GUIDE_VARS = join(repoRoot, 'playbooks/vars/guide-section10.yaml');
const ABSENT = [
  'net.netlink.max_recvbuf_size',
  'net.ipv4.tcp_backlog',
  'net.ipv4.tcp_delack_min',
  'kernel.sched_migration_cost_ns',
  'kernel.sched_min_granularity_ns',
  'kernel.sched_wakeup_granularity_ns',
  'kernel.irq_gq_threshold',
];

/** inventories/example-dc1 holds a vault-encrypted value; its example password file opens it. */
const EXAMPLE_VAULT_PASSWORD = join(repoRoot, 'inventories/example-dc1/example-only-vault-password.txt');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_VAULT_PASSWORD_FILE: EXAMPLE_VAULT_PASSWORD },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A chroot root for host dc1-leaf-01 with the example fleet's vars and a proc/sys holding `keys`. */
function fleetRoot(t: { after(fn: () => void): void }, keys: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  for (const key of keys) {
    const path = join(root, 'proc/sys', ...key.split('.'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '0\n');
  }
  mkdirSync(join(root, 'etc'), { recursive: true });
  const inv = join(dir, 'inventory');
  cpSync(join(repoRoot, 'inventories/example-dc1/group_vars'), join(inv, 'group_vars'), { recursive: true });
  cpSync(join(repoRoot, 'inventories/example-dc1/host_vars'), join(inv, 'host_vars'), { recursive: true });
  writeFileSync(
    join(inv, 'hosts.yaml'),
    `all:\n  children:\n    leaf:\n      hosts:\n        dc1-leaf-01:\n          connection: chroot\n          chroot_dir: ${root}\n`,
  );
  return { root, inv };
}

function files(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(root, join(rel, e.name)) : [join(rel, e.name)],
  );
}

test('the example fleet and site playbook validate', () => {
  const r = cli('validate', join(repoRoot, 'playbooks/site.yaml'), '-i', join(repoRoot, 'inventories/example-dc1'));
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /20 hosts/);
});

test('the guide applied verbatim fails at plan time, naming every nonexistent key at its vars file:line', (t) => {
  const existing = Object.keys(
    Object.fromEntries(
      readFileSync(GUIDE_VARS, 'utf8')
        .split('\n')
        .filter((l) => /^ {2}[a-z]/.test(l))
        .map((l) => [l.trim().split(':')[0], 1]),
    ),
  ).filter((k) => !ABSENT.includes(k));
  const { root, inv } = fleetRoot(t, existing);
  const before = files(root);
  const r = cli('plan', join(repoRoot, 'playbooks/guide-as-is.yaml'), '-i', inv);
  assert.equal(r.code, 3, r.err + r.out);
  const lines = readFileSync(GUIDE_VARS, 'utf8').split('\n');
  // All seven in one plan: the four keys no Linux ever had (found in the args) and the scheduler
  // keys this kernel lacks (found on the root's key list).
  const never = ABSENT.filter((k) => !k.startsWith('kernel.sched_'));
  for (const key of ABSENT) {
    const line = lines.findIndex((l) => l.trim().startsWith(`${key}:`)) + 1;
    assert.ok(line > 0);
    const why = never.includes(key) ? ' (nor on any Linux)' : '';
    assert.ok(
      r.err.includes(`guide-section10.yaml:${line}:3 `) && r.err.includes(`sysctl key ${key} does not exist on this kernel${why}`),
      `${key} at line ${line}:\n${r.err}`,
    );
  }
  assert.equal(r.err.match(/does not exist on this kernel/g)?.length, ABSENT.length);
  assert.deepEqual(files(root), before);

  // validate, without any host, knows the four that no kernel has.
  const v = cli('validate', join(repoRoot, 'playbooks/guide-as-is.yaml'), '-i', inv);
  assert.equal(v.code, 3, v.err + v.out);
  assert.equal(v.err.match(/nor on any Linux/g)?.length, never.length);
});

test('site.yaml on a fresh root: check shows changes (exit 2), apply, then converged (exit 0)', (t) => {
  const wanted = Object.keys(
    Object.fromEntries(
      readFileSync(join(repoRoot, 'playbooks/defaults/kernel.yaml'), 'utf8')
        .split('\n')
        .filter((l) => /^ {2}[a-z]+\.[a-z0-9_.-]+:/.test(l))
        .map((l) => [l.trim().split(':')[0], 1]),
    ),
  );
  assert.ok(wanted.length >= 9);
  const { root, inv } = fleetRoot(t, wanted);
  // The deploy needs sh and tar inside the root; its check mode is covered by the chroot tests.
  const site = [join(repoRoot, 'playbooks/site.yaml'), '--skip-tags', 'deploy'];

  const check = cli('plan', ...site, '-i', inv);
  assert.equal(check.code, 2, check.err + check.out);
  assert.match(check.out, /\+\+\+ b\/etc\/sysctl\.d\/50-portsyncd\.conf\t\(new file\)/);
  assert.match(check.out, /\+LimitNOFILE=131072/, 'host_vars of the canary leaf win over group_vars/all');

  // An offline root has no daemon to probe: the canary gates pass only when the run says so.
  const apply = cli(...site, '-i', inv, '-e', 'portsyncd_health_not_probed=pass');
  assert.equal(apply.code, 0, apply.err + apply.out);
  const conf = readFileSync(join(root, 'etc/sysctl.d/50-portsyncd.conf'), 'utf8');
  for (const key of wanted) assert.match(conf, new RegExp(`^${key.replace(/\./g, '\\.')} = `, 'm'));
  const dropins = join(root, 'etc/systemd/system/portsyncd.service.d');
  const limits = readdirSync(dropins).filter((f) => /^Limit/m.test(readFileSync(join(dropins, f), 'utf8')));
  assert.deepEqual(limits, ['50-scheduling.conf'], 'the limits live in one drop-in');
  assert.match(readFileSync(join(dropins, '50-scheduling.conf'), 'utf8'), /^LimitNOFILE=131072\nLimitNPROC=4096\nLimitMEMLOCK=infinity$/m);

  const again = cli('plan', ...site, '-i', inv);
  assert.equal(again.code, 0, again.err + again.out);
});

test('the defaults set each knob in one place: vm.* only through the vm module', () => {
  const kernel = readFileSync(join(repoRoot, 'playbooks/defaults/kernel.yaml'), 'utf8');
  const keys = kernel
    .split('\n')
    .filter((l) => /^ {2}[a-z]+\.[a-z0-9_.-]+:/.test(l))
    .map((l) => l.trim().split(':')[0]);
  assert.ok(keys.includes('net.core.rmem_max'));
  assert.deepEqual(
    keys.filter((k) => k.startsWith('vm.')),
    [],
  );
  const tuning = readFileSync(join(repoRoot, 'playbooks/tuning.yaml'), 'utf8');
  assert.match(tuning, /swappiness: "\{\{ tuning_swappiness \}\}"/);
  assert.match(tuning, /overcommit_memory: "\{\{ tuning_overcommit_memory \}\}"/);
});
