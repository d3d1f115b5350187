import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, SECRET_MARKER } from '../../../src/secrets/redact.js';
import { redactingReporter } from '../../../src/secrets/reporter.js';
import type { RunEvent } from '../../../src/report/events.js';

test('secrets are masked inside text, longest first, and each line of a multi-line secret', () => {
  const r = new Redactor();
  r.add('hunter22');
  r.add('hunter22-and-more');
  r.add('-----BEGIN KEY-----\nAAAABBBBCCCC\n-----END KEY-----');
  assert.equal(r.redactText('requirepass hunter22-and-more\n'), `requirepass ${SECRET_MARKER}\n`);
  assert.equal(r.redactText('a hunter22 b hunter22'), `a ${SECRET_MARKER} b ${SECRET_MARKER}`);
  assert.equal(r.redactText('+AAAABBBBCCCC'), `+${SECRET_MARKER}`);
  assert.equal(r.redactText('nothing here'), 'nothing here');
});

test('a secret is also masked where output quotes it for a shell or in a JSON string', () => {
  const r = new Redactor();
  r.add(`it's "q"`);
  assert.equal(r.redactText(`run sh -c 'echo it'\\''s "q"'`), `run sh -c 'echo ${SECRET_MARKER}'`);
  assert.equal(r.redactText(JSON.stringify({ v: `x it's "q"` })), `{"v":"x ${SECRET_MARKER}"}`);
});

test('a short secret is masked only where it is the whole string', () => {
  const r = new Redactor();
  r.add('42');
  assert.equal(r.redactText('42'), SECRET_MARKER);
  assert.equal(r.redactText('port 4242'), 'port 4242');
});

test('redactValue copies: keys and nested strings masked, the original untouched, numbers in no_log args tracked', () => {
  const r = new Redactor();
  r.addAll({ password: 's3cret-pw', port: 637912, on: true });
  const v = { diff: ['+x s3cret-pw'], nested: { 's3cret-pw': 1, n: 637912 }, msg: 'port 637912' };
  const out = r.redactValue(v);
  assert.deepEqual(out, { diff: [`+x ${SECRET_MARKER}`], nested: { [SECRET_MARKER]: 1, n: 637912 }, msg: `port ${SECRET_MARKER}` });
  assert.equal(v.diff[0], '+x s3cret-pw');
});

test('the reporter boundary hands sinks redacted events only', () => {
  const r = new Redactor();
  r.add('pa55word!');
  const seen: RunEvent[] = [];
  const rep = redactingReporter({ emit: (e) => seen.push(e) }, r);
  rep.emit({ event: 'result', host: 'h', task: 't', status: 'changed', changes: [{ summary: 's', diff: '-a\n+requirepass pa55word!\n' }] });
  assert.ok(!JSON.stringify(seen).includes('pa55word!'));
  assert.match(JSON.stringify(seen), /requirepass \*{8}/);
});

test('no_log results and verify settings reach sinks censored, keeping the diff shape', () => {
  const seen: RunEvent[] = [];
  const rep = redactingReporter({ emit: (e) => seen.push(e) }, new Redactor());
  rep.emit({
    event: 'result',
    host: 'h',
    task: 't',
    status: 'failed',
    no_log: true,
    msg: 'bad tok-1',
    warnings: ['w tok-1'],
    changes: [{ summary: 'create /x', diff: '--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+tok-1\n+two\n' }],
  });
  rep.emit({
    event: 'verify',
    host: 'h',
    task: 't',
    no_log: true,
    ok: false,
    settings: [{ setting: 'k', desired: 'tok-1', live: 'old', persisted: null, ok: false }],
  });
  rep.emit({ event: 'result', host: 'h', task: 'open', status: 'ok', changes: [{ summary: 'tok-1 shown' }] });
  const [r, v, open] = seen as any[];
  assert.equal(r.changes[0].diff, `--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+${SECRET_MARKER}\n+${SECRET_MARKER}\n`);
  assert.match(r.changes[0].summary, /hidden: no_log/);
  assert.ok(!JSON.stringify([r, v]).includes('tok-1'));
  assert.deepEqual(v.settings[0], { setting: 'k', desired: SECRET_MARKER, live: SECRET_MARKER, persisted: null, ok: false });
  assert.equal(open.changes[0].summary, 'tok-1 shown');
});

test('redactValue hands back a value with no secret as it is, and still finds one in a key, a short whole string, or one added later', () => {
  const r = new Redactor();
  r.add('s3cret-pw');
  r.add('42');
  const clean = { diff: ['+x 4242'], nested: { n: 42, s: 'port 4242' } };
  assert.equal(r.redactValue(clean), clean);
  assert.deepEqual(r.redactValue({ a: { 's3cret-pw': 1 } }), { a: { [SECRET_MARKER]: 1 } });
  assert.deepEqual(r.redactValue({ a: [['x', '42']] }), { a: [['x', SECRET_MARKER]] });
  r.add('late-secret');
  assert.deepEqual(r.redactValue({ msg: 'a late-secret b' }), { msg: `a ${SECRET_MARKER} b` });
});
