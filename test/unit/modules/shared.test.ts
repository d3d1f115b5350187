import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { unifiedDiff } from '../../../modules/_shared/unified-diff.js';
import { normalizeValue, sameValue } from '../../../modules/_shared/normalize.js';
import { shJoin, shQuote } from '../../../modules/_shared/sh-quote.js';
import { parseUnitFile, renderUnitSections } from '../../../modules/_shared/systemd-ini.js';
import { checkSections } from '../../../modules/_shared/systemd-check.js';
import { closest } from '../../../modules/_shared/suggest.js';

test('unifiedDiff: created and removed files match the general diff exactly', () => {
  const general = (before: string | null, after: string | null) =>
    createTwoFilesPatch(
      before === null ? '/dev/null' : 'a/etc/x.conf',
      after === null ? '/dev/null' : 'b/etc/x.conf',
      before ?? '',
      after ?? '',
      undefined,
      before === null ? '(new file)' : '(deleted)',
      { context: 3, headerOptions: FILE_HEADERS_ONLY },
    );
  for (const text of ['a\n', 'a\nb\n', 'a\nb', 'x', '\n', 'a\n\nb\n', 'one\ntwo\n\n']) {
    assert.equal(unifiedDiff('/etc/x.conf', null, text), general(null, text), `created ${JSON.stringify(text)}`);
    assert.equal(unifiedDiff('/etc/x.conf', text, null), general(text, null), `removed ${JSON.stringify(text)}`);
  }
});

test('unifiedDiff: a/ b/ headers, context, and nothing for equal content', () => {
  assert.equal(
    unifiedDiff('/etc/x.conf', 'a\nb\nc\n', 'a\nB\nc\n'),
    '--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
  );
  assert.equal(unifiedDiff('/etc/x.conf', 'same\n', 'same\n'), '');
});

test('unifiedDiff: new and deleted files', () => {
  assert.equal(unifiedDiff('/etc/x.conf', null, 'a\n'), '--- /dev/null\n+++ b/etc/x.conf\t(new file)\n@@ -0,0 +1,1 @@\n+a\n');
  assert.equal(unifiedDiff('/etc/x.conf', 'a\n', null), '--- a/etc/x.conf\n+++ /dev/null\t(deleted)\n@@ -1,1 +0,0 @@\n-a\n');
});

test('normalizeValue: whitespace collapsed, integers canonical, words kept', () => {
  assert.equal(normalizeValue('  4096\t87380   6291456\n'), '4096 87380 6291456');
  assert.equal(normalizeValue('007'), '7');
  assert.equal(normalizeValue(18), '18');
  assert.equal(normalizeValue('18446744073709551615'), '18446744073709551615');
  assert.ok(sameValue('-0', '0'));
  assert.ok(!sameValue('bbr', 'cubic'));
  assert.ok(!sameValue('1 2', '12'));
});

test('shQuote: safe words bare, others single-quoted with embedded quotes escaped', () => {
  assert.equal(shQuote('/usr/bin/systemctl'), '/usr/bin/systemctl');
  assert.equal(shQuote('a b'), `'a b'`);
  assert.equal(shQuote(`it's`), `'it'\\''s'`);
  assert.equal(shQuote(''), `''`);
  assert.equal(shJoin(['sh', '-c', 'echo $HOME; rm x']), `sh -c 'echo $HOME; rm x'`);
});

test('renderUnitSections: lists repeat the key, booleans become yes/no, header comments first', () => {
  const text = renderUnitSections(
    { Unit: { Description: 'x' }, Service: { CPUAffinity: '0', Environment: ['A=1', 'B=2'], PrivateMounts: true, Nice: -10 } },
    ['Managed'],
  );
  assert.equal(
    text,
    '# Managed\n\n[Unit]\nDescription=x\n\n[Service]\nCPUAffinity=0\nEnvironment=A=1\nEnvironment=B=2\nPrivateMounts=yes\nNice=-10\n',
  );
  const parsed = parseUnitFile(text);
  assert.deepEqual(parsed.sections, [
    { name: 'Unit', line: 3 },
    { name: 'Service', line: 6 },
  ]);
  assert.deepEqual(
    parsed.entries.map((e) => `${e.section}.${e.key}=${e.value}@${e.line}`),
    [
      'Unit.Description=x@4',
      'Service.CPUAffinity=0@7',
      'Service.Environment=A=1@8',
      'Service.Environment=B=2@9',
      'Service.PrivateMounts=yes@10',
      'Service.Nice=-10@11',
    ],
  );
});

test('parseUnitFile skips comments and continuation lines', () => {
  const { entries } = parseUnitFile('[Service]\n; c\nExecStart=/bin/a \\\n  --flag=1\nRestart=always\n');
  assert.deepEqual(
    entries.map((e) => e.key),
    ['ExecStart', 'Restart'],
  );
});

test('checkSections: typos in directives and sections are named with a suggestion; X- and known keys pass', () => {
  const problems = checkSections({
    Unit: { Description: 'd', 'X-Custom': 'ok' },
    Service: { Restrat: 'always', LimitNOFILE: 65536, CPUAffinity: '0' },
    Servcie: { Nice: 1 },
    'X-Vendor': { Anything: 1 },
    Socket: { ListenStream: 1 },
  });
  assert.deepEqual(problems, [
    {
      section: 'Service',
      key: 'Restrat',
      message: 'unknown directive Restrat= in [Service]; systemd would ignore it',
      hint: 'did you mean Restart=?',
    },
    { section: 'Servcie', message: 'unknown unit file section [Servcie]', hint: 'did you mean [Service]?' },
  ]);
});

test('closest: only near names are suggested', () => {
  assert.equal(closest('LimitNOFLIE', ['LimitNOFILE', 'LimitNPROC']), 'LimitNOFILE');
  assert.equal(closest('Frobnicate', ['LimitNOFILE', 'Restart']), undefined);
});
