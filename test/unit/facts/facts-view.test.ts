import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFacts } from '../../../src/facts/facts-view.js';
import { recordedFolders, type RawAnswer } from '../../../src/facts/gather-script.js';
import type { FactQuery } from '../../../src/facts/types.js';

const ok = (...fields: string[]): RawAnswer => ({ status: 'ok', fields, items: [] });

test('each read finds the answer of the query that declared it, and a read no query declared throws', () => {
  const queries: FactQuery[] = [
    { kind: 'file', path: '/etc/a' },
    { kind: 'stat', path: '/etc/a' },
    { kind: 'sysctl', key: 'vm.swappiness' },
    { kind: 'unit', name: 'portsyncd.service' },
    { kind: 'cmd', argv: ['uname', '-m'] },
    { kind: 'files', glob: '/etc/*.conf' },
    { kind: 'file', path: '/etc/unanswered' },
    { kind: 'system' },
  ];
  const answers = new Map<number, RawAnswer>([
    [0, ok('file a')],
    [1, ok('regular file|644|0|0|6|root|root|ab')],
    [2, ok('10\n')],
    [3, ok('LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled')],
    [4, ok('0', 'x86_64\n', '')],
    [5, { status: 'ok', fields: [], items: [['/etc/b.conf', 'b=1\n']] }],
    [7, ok('')],
  ]);
  const facts = buildFacts(undefined, queries, answers);
  assert.equal(facts.file('/etc/a'), 'file a');
  const st = facts.stat('/etc/a');
  assert.deepEqual([st?.type, st?.size, st?.sha256], ['file', 6, 'ab']);
  assert.equal(facts.sysctl('vm.swappiness'), '10');
  assert.deepEqual(facts.unit('portsyncd.service'), { load: 'loaded', active: 'active', sub: 'running', enabled: 'enabled' });
  assert.deepEqual(facts.cmd(['uname', '-m']), { rc: 0, stdout: 'x86_64\n', stderr: '' });
  assert.deepEqual(facts.files('/etc/*.conf'), { '/etc/b.conf': 'b=1\n' });
  assert.equal(facts.file('/etc/unanswered'), null, 'declared without an answer: absent');
  assert.equal(typeof facts.system(), 'object');

  const undeclared: [string, () => unknown][] = [
    ['file:/etc/b', () => facts.file('/etc/b')],
    ['stat:/etc/unanswered', () => facts.stat('/etc/unanswered')],
    ['sysctl:vm.dirty_ratio', () => facts.sysctl('vm.dirty_ratio')],
    ['unit:other.service', () => facts.unit('other.service')],
    ['cmd:["uname","-r"]', () => facts.cmd(['uname', '-r'])],
    ['cmd:["uname -m"]', () => facts.cmd(['uname -m'])],
    ['files:/etc/*.yaml', () => facts.files('/etc/*.yaml')],
  ];
  for (const [key, read] of undeclared) assert.throws(read, { message: `fact ${key} was read but not declared in needs()` }, key);
  assert.throws(() => buildFacts(undefined, [], new Map()).system(), /fact system was read but not declared/);
});

test("each folder a read path is in finds where it led, by its place in the gather's list of folders", () => {
  const queries: FactQuery[] = [
    ...['/etc/app/a.conf', '/var/lib/x'].map((path): FactQuery => ({ kind: 'stat', path })),
    ...['/proc/sys/vm/swappiness', 'relative/b', '/etc/app/b.conf'].map((path): FactQuery => ({ kind: 'file', path })),
    { kind: 'files', glob: '/etc/conf.d/*.conf' },
    { kind: 'sysctl', key: 'vm.swappiness' },
  ];
  assert.deepEqual(recordedFolders(queries), ['/etc/app', '/var/lib', '/etc/conf.d'], 'kernel files and relative paths record none');
  const facts = buildFacts(undefined, queries, new Map(), ['/etc/app', '/var/lib', '/srv/conf.d']);
  assert.equal(facts.leads?.('/etc/conf.d'), '/srv/conf.d');
  assert.equal(facts.leads?.('/var/lib'), '/var/lib');
  assert.equal(facts.leads?.('/proc/sys/vm'), undefined);
  assert.equal(buildFacts(undefined, queries, new Map()).leads?.('/etc/app'), undefined, 'an offline root records none');
});
