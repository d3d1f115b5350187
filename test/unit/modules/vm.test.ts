import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from '../../../modules/vm/index.js';
import { FSTAB, FSTAB_BACKUP, VM_SYSCTL_FILE } from '../../../modules/vm/diff.js';
import { commentOutSwap, fstabSwapLines } from '../../../modules/vm/fstab.js';
import { fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { applyChanges, planWith, tuningContext } from './tuning-support.js';

const FSTAB_TEXT = `# /etc/fstab
UUID=1111 / ext4 errors=remount-ro 0 1
UUID=2222 none swap sw 0 0
# /dev/sdb1 none swap sw 0 0
/swapfile none swap defaults 0 0
`;
const SWAPS = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda2 partition\t1000\t0\t-2\n/swapfile file\t1000\t0\t-3\n';

const host = (): FakeFactsData => ({
  sysctl: { 'vm.swappiness': '60', 'vm.overcommit_memory': '0' },
  files: { [FSTAB]: FSTAB_TEXT, '/proc/swaps': SWAPS },
});

test('fstab: only active swap lines are commented out', () => {
  assert.deepEqual(fstabSwapLines(FSTAB_TEXT), ['UUID=2222 none swap sw 0 0', '/swapfile none swap defaults 0 0']);
  const after = commentOutSwap(FSTAB_TEXT);
  assert.deepEqual(fstabSwapLines(after), []);
  assert.match(after, /^# swap disabled by portsync-deploy: UUID=2222 none swap sw 0 0$/m);
  assert.match(after, /^# \/dev\/sdb1 none swap sw 0 0$/m);
  assert.match(after, /^UUID=1111 \/ ext4/m);
});

test('swappiness, overcommit and swap off: live, persisted, fstab diff with backup', () => {
  const a = { swappiness: 0, overcommit_memory: 1, swap: 'off' };
  const r = planWith(vm, host(), a);
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    [
      'vm.swappiness: 60 -> 0',
      'vm.overcommit_memory: 0 -> 1',
      `create ${VM_SYSCTL_FILE}`,
      'swap: on (/dev/sda2, /swapfile) -> off',
      `${FSTAB}: comment out 2 swap entries (backup ${FSTAB_BACKUP})`,
    ],
  );
  assert.deepEqual(r.changes[0].ops, [
    {
      kind: 'exec',
      argv: ['sh', '-c', "set -e; printf '%s\\n' 0 > /proc/sys/vm/swappiness"],
      live: true,
      strictStderr: true,
      effects: [{ kind: 'sysctl', key: 'vm.swappiness', value: '0' }],
    },
  ]);
  const conf = r.changes[2].ops[0];
  assert.ok(conf.kind === 'put');
  assert.match(conf.content, /^vm.swappiness = 0$/m);
  assert.match(conf.content, /^vm.overcommit_memory = 1$/m);
  assert.deepEqual(r.changes[3].ops, [{ kind: 'exec', argv: ['swapoff', '-a'], live: true, strictStderr: true }]);
  const fstab = r.changes[4];
  assert.deepEqual(fstab.notify, ['systemd daemon-reload']);
  assert.match(fstab.diff ?? '', /^-UUID=2222 none swap sw 0 0$/m);
  assert.match(fstab.diff ?? '', /^\+# swap disabled by portsync-deploy: UUID=2222 none swap sw 0 0$/m);
  assert.deepEqual(
    fstab.ops.map((o) => o.kind === 'put' && [o.path, o.content === FSTAB_TEXT]),
    [
      [FSTAB_BACKUP, true],
      [FSTAB, false],
    ],
  );
  // /dev/sda2 swaps now but is not in fstab (the entry uses a UUID): it may come from elsewhere.
  assert.match(r.warnings[0], /swap on \/dev\/sda2 does not come from \/etc\/fstab/);

  const applied = applyChanges(host(), r.changes);
  assert.deepEqual(planWith(vm, applied, a).changes, []);
  assert.ok(vm.inspect!(fakeFacts(applied), r.args, tuningContext()).every((s) => s.ok));
});

test('swap: keep touches neither swap nor fstab, and needs neither', () => {
  const r = planWith(vm, host(), { swappiness: 60 });
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    [`create ${VM_SYSCTL_FILE}`],
  );
  assert.ok(!vm.needs(r.args, tuningContext()).some((n) => n.kind === 'file' && n.path === FSTAB));
});

test('verify: swap turned back on by hand is drift, persisted stays off', () => {
  const a = { swap: 'off' };
  const applied = applyChanges(host(), planWith(vm, host(), a).changes);
  const swappedOn = { ...applied, files: { ...applied.files, '/proc/swaps': SWAPS } };
  const [swap] = vm.inspect!(fakeFacts(swappedOn), planWith(vm, applied, a).args, tuningContext());
  assert.deepEqual(swap, { setting: 'swap', desired: 'off', live: 'on (/dev/sda2, /swapfile)', persisted: 'off', ok: false });
});

test('a sysctl missing on the kernel is a plan-time error at its arg', () => {
  const r = planWith(vm, { sysctl: { 'vm.swappiness': '60' } }, { swappiness: 10, overcommit_memory: 2 });
  assert.deepEqual(
    r.errors.map((e) => [e.argPath, /vm.overcommit_memory does not exist/.test(e.message)]),
    [[['overcommit_memory'], true]],
  );
});
