// verify for modules without inspect: the settings each pending change declares, as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convergedSetting, settingsFromChange } from '../../../src/plan/settings-from-changes.js';
import { contentSetting, describeFileChange, fileChange } from '../../../modules/_shared/file-change.js';
import { fakeFacts } from '../../helpers/fake-facts.js';

const ops: never[] = [];

test('a file change declares its attributes and its content; verify reads those, not the diff text', () => {
  const facts = fakeFacts({
    files: { '/etc/x.conf': 'keep=1\nLimitNPROC=10\n' },
    stats: { '/etc/x.conf': { type: 'file', mode: '0644', owner: 'root', group: 'root', size: 20 } },
  });
  const c = fileChange(facts, { path: '/etc/x.conf', content: 'keep=1\nLimitNPROC=4096\n', mode: '0600' })!;
  assert.deepEqual(settingsFromChange(c), [
    { setting: '/etc/x.conf mode', desired: '0600', live: '0644', ok: false },
    { setting: '/etc/x.conf', desired: 'LimitNPROC=4096', live: 'LimitNPROC=10', ok: false },
  ]);
  // The text is for humans: rewriting it changes nothing verify reports.
  assert.deepEqual(settingsFromChange({ ...c, summary: 'x: 1 -> 2', diff: '-a\n+b\n' }), settingsFromChange(c));
});

test('a file to create has no live side; long content is cut with a count of the lines left out', () => {
  const content = Array.from({ length: 40 }, (_, i) => `key${i}=value${i}`).join('\n') + '\n';
  const s = contentSetting('/etc/new.conf', null, content);
  assert.equal(s.setting, '/etc/new.conf');
  assert.equal(s.live, null);
  assert.match(s.desired, /^key0=value0 \| key1=value1 \| .* … \(\+\d+ lines\)$/);
  assert.ok(s.desired.length < 200);
  assert.deepEqual(describeFileChange('/etc/new.conf', null, content, []).settings, [s]);
});

test('a change without declared settings is its summary, differing; its text is not parsed', () => {
  assert.deepEqual(settingsFromChange({ summary: 'net.core.somaxconn: 4096 -> 8192', ops }), [
    { setting: 'net.core.somaxconn: 4096 -> 8192', desired: 'as planned', live: 'differs', ok: false },
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
