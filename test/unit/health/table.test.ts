import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthTable } from '../../../src/health/table.js';
import { failureSummary, healthState, type HostHealth } from '../../../src/exec/probe-host.js';

const good: HostHealth = {
  host: 'leaf1',
  ok: true,
  tasks: [
    {
      task: 't',
      results: [
        { check: 'RSS', ok: true, value: '50.0 MB', threshold: '<= 128 MB' },
        { check: '/healthz 200', ok: true, value: 'HTTP 200', threshold: '200' },
      ],
    },
  ],
};
const bad: HostHealth = {
  host: 'leaf2',
  ok: false,
  tasks: [{ task: 't', results: [{ check: 'RSS', ok: false, value: '300.0 MB', threshold: '<= 128 MB' }] }],
};
const gone: HostHealth = { host: 'leaf3', ok: false, unreachable: true, error: 'connect ECONNREFUSED', tasks: [] };

test('one row per check, the host named once, failures marked, a summary line', () => {
  assert.equal(
    healthTable([good, bad, gone]),
    [
      'HOST   CHECK         RESULT  VALUE                 THRESHOLD',
      'leaf1  RSS           pass    50.0 MB               <= 128 MB',
      '       /healthz 200  pass    HTTP 200              200',
      'leaf2  RSS           FAIL    300.0 MB              <= 128 MB',
      'leaf3  connect       FAIL    connect ECONNREFUSED',
      '3 hosts: 1 healthy, 2 unhealthy (leaf2, leaf3)',
      '',
    ].join('\n'),
  );
});

test('a host whose checks could not run is "not probed", counted apart from healthy even when its task lets that pass', () => {
  const offline: HostHealth = {
    host: 'leaf4',
    ok: true,
    tasks: [{ task: 't', results: [{ check: 'portsyncd health', ok: true, notProbed: true, value: 'not probed: offline root' }] }],
  };
  assert.equal(healthState(offline), 'not probed');
  assert.equal(healthState(good), 'healthy');
  assert.equal(healthState(bad), 'unhealthy');
  const table = healthTable([good, offline]);
  assert.match(table, /^leaf4 +portsyncd health +not probed +not probed: offline root$/m);
  assert.match(table, /2 hosts: 1 healthy, 0 unhealthy, 1 not probed \(leaf4\)\n$/);
});

test('the failure summary names each failed check with its value and threshold', () => {
  assert.equal(failureSummary(bad), 'RSS: 300.0 MB (want <= 128 MB)');
  assert.equal(failureSummary(gone), 'connect ECONNREFUSED');
});
