// The --queue URL and worker group names: bad input is a located, explained problem, and a
// password given in the URL is masked in every output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../../src/errors.js';
import { describeQueue, groupProblem, parseQueueUrl } from '../../../src/queue/connection.js';
import { secrets } from '../../../src/secrets/redact.js';

test('a redis URL gives host, port, database and credentials; messages show neither user nor password', () => {
  const c = parseQueueUrl('redis://ops:pa%40ss-queue-77@10.0.0.5:6380/3');
  assert.deepEqual(c, { host: '10.0.0.5', port: 6380, db: 3, username: 'ops', password: 'pa@ss-queue-77' });
  assert.equal(describeQueue(c), 'redis://10.0.0.5:6380/3');
  assert.equal(secrets.redactText('auth pa@ss-queue-77 failed').includes('pa@ss-queue-77'), false);
  assert.deepEqual(parseQueueUrl('redis://127.0.0.1'), { host: '127.0.0.1', port: 6379, db: 0 });
});

test('what is not a redis URL is refused with the form to give', () => {
  for (const [url, why] of [
    ['127.0.0.1:6379', /is not a URL|uses/],
    ['http://127.0.0.1:6379/0', /uses http:\/\/; only redis:\/\/ is supported/],
    ['redis://127.0.0.1:6379/16', /database "16"/],
    ['redis://127.0.0.1:6379/x', /database "x"/],
  ] as const) {
    assert.throws(
      () => parseQueueUrl(url),
      (e: unknown) => e instanceof ValidationError && why.test(e.problems[0]!.message) && /redis:\/\//.test(e.problems[0]!.hint!),
      url,
    );
  }
});

test('group names are plain names', () => {
  assert.equal(groupProblem('dc1-site.a_2'), undefined);
  assert.match(groupProblem('a b') ?? '', /portsync_worker_group must be a name/);
  assert.match(groupProblem(7) ?? '', /got 7/);
  assert.match(groupProblem('x'.repeat(65)) ?? '', /at most 64/);
});
