// verify for modules without inspect: live vs desired read back from the pending changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convergedSetting, settingsFromChange } from '../../../src/plan/settings-from-changes.js';

const ops: never[] = [];

test('a unified diff gives the file: removed lines live, added lines desired; attribute lines their own setting', () => {
  const diff = `/etc/x.conf mode: 0644 -> 0600
--- a/etc/x.conf
+++ b/etc/x.conf
@@ -1,2 +1,2 @@
 keep=1
-LimitNPROC=10
+LimitNPROC=4096
`;
  assert.deepEqual(settingsFromChange({ summary: 'update /etc/x.conf; mode: 0644 -> 0600', diff, ops }), [
    { setting: '/etc/x.conf mode', desired: '0600', live: '0644', ok: false },
    { setting: '/etc/x.conf', desired: 'LimitNPROC=4096', live: 'LimitNPROC=10', ok: false },
  ]);
});

test('a file to create has no live side; long content is cut with a count of the lines left out', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `+key${i}=value${i}`);
  const diff = `--- /dev/null\n+++ /etc/new.conf\n@@ -0,0 +1,40 @@\n${lines.join('\n')}\n`;
  const [s] = settingsFromChange({ summary: 'create /etc/new.conf', diff, ops });
  assert.equal(s!.setting, '/etc/new.conf');
  assert.equal(s!.live, null);
  assert.match(s!.desired, /^key0=value0 \| key1=value1 \| .* … \(\+\d+ lines\)$/);
  assert.ok(s!.desired.length < 200);
});

test('a "name: live -> desired" summary without a diff is one setting; anything else says it differs', () => {
  assert.deepEqual(settingsFromChange({ summary: 'net.core.somaxconn: 4096 -> 8192', ops }), [
    { setting: 'net.core.somaxconn', desired: '8192', live: '4096', ok: false },
  ]);
  assert.deepEqual(settingsFromChange({ summary: 'start portsyncd.service', ops }), [
    { setting: 'start portsyncd.service', desired: 'as planned', live: 'differs', ok: false },
  ]);
});

test('a converged task is named by its target', () => {
  assert.deepEqual(convergedSetting('copy', { dest: '/etc/motd', content: 'x' }), {
    setting: 'copy /etc/motd',
    desired: 'as declared',
    live: 'matches',
    ok: true,
  });
  assert.equal(convergedSetting('command', { cmd: 'true' }).setting, 'command');
});
