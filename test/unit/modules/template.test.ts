import { test } from 'node:test';
import assert from 'node:assert/strict';
import template from '../../../modules/template/index.js';
import type { TemplateArgs } from '../../../modules/template/schema.js';
import type { StatFact } from '../../../src/facts/types.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { renderTemplate, validateArgs, withDefaults } from './support.js';

const DEST = '/etc/portsyncd/limits.conf';
const hostVars = { portsyncd_limits: { nofile: 65536, nproc: 4096, memlock: 'infinity' } };
const render = (name: string, extra?: Record<string, unknown>) => renderTemplate(name, { ...hostVars, ...extra });
const extra = { managed_by: 'portsync-deploy', task_name: 'Install limits' };
const content = render('portsyncd-dropin.conf.hbs', extra);

function stat(over: Partial<StatFact> = {}): StatFact {
  return { type: 'file', mode: '0644', owner: 'root', group: 'root', size: content.length, ...over };
}

function plan(facts: FakeFactsData, a: Record<string, unknown>) {
  const ctx = fakeContext({ vars: hostVars, render, taskName: 'Install limits' });
  const changes = template.diff(
    fakeFacts(facts),
    withDefaults<TemplateArgs>(template.schema, { src: 'portsyncd-dropin.conf.hbs', dest: DEST, ...a }),
    ctx,
  );
  return { changes, errors: ctx.errors };
}

test('renders host vars and the managing task into the file; identical file and attributes -> no change', () => {
  assert.match(content, /^LimitNOFILE=65536$/m);
  assert.match(content, /^# Managed by portsync-deploy \(task: Install limits\)/);
  const r = plan({ files: { [DEST]: content }, stats: { [DEST]: stat() } }, { mode: '0644', owner: 'root' });
  assert.deepEqual(r.changes, []);
});

test('new file: diff from /dev/null and a put carrying mode, owner, group and validate', () => {
  const r = plan({}, { mode: '640', owner: 'root', group: 'adm', validate: 'test -s %s' });
  assert.equal(r.changes.length, 1);
  assert.equal(r.changes[0].summary, `create ${DEST}`);
  assert.match(r.changes[0].diff!, /^--- \/dev\/null\n/);
  assert.deepEqual(r.changes[0].ops, [
    { kind: 'put', path: DEST, content, mode: '0640', owner: 'root', group: 'adm', validate: 'test -s %s' },
  ]);
});

test('content drift: unified diff of old vs new; unspecified attributes are left to the file it replaces', () => {
  const old = content.replace('LimitNPROC=4096', 'LimitNPROC=512');
  const r = plan({ files: { [DEST]: old }, stats: { [DEST]: stat({ mode: '0600', owner: 'portsyncd', group: 'portsyncd' }) } }, {});
  assert.match(r.changes[0].diff!, /^-LimitNPROC=512\n\+LimitNPROC=4096$/m);
  // The apply script keeps the previous regular file's mode and owner (never a symlink's).
  assert.deepEqual(
    r.changes[0].ops,
    [{ kind: 'put', path: DEST, content, mode: undefined, owner: undefined, group: undefined }].map(({ mode, owner, group, ...op }) => op),
  );
});

test("a symlinked dest is replaced by a file unless follow is set; never takes the link's 0777", () => {
  const link = stat({ type: 'link', mode: '0777', target: '../run/limits.conf', followed: stat({ mode: '0640' }) });
  const replaced = plan({ files: { [DEST]: content }, stats: { [DEST]: link } }, {});
  assert.equal(replaced.changes[0]!.summary, `${DEST}; replace symlink -> ../run/limits.conf with a file`);
  assert.deepEqual(replaced.changes[0]!.ops, [{ kind: 'put', path: DEST, content }]);
  // Followed: compared with what the link leads to, written through it.
  assert.deepEqual(plan({ files: { [DEST]: content }, stats: { [DEST]: link } }, { follow: true }).changes, []);
  const through = plan({ files: { [DEST]: 'old' }, stats: { [DEST]: link } }, { follow: true, mode: '0644' });
  assert.equal(through.changes[0]!.summary, `update ${DEST}; mode: 0640 -> 0644`);
  assert.deepEqual(through.changes[0]!.ops, [{ kind: 'put', path: DEST, content, mode: '0644', follow: true }]);
});

test('mode and owner drift alone are reported and fixed', () => {
  const r = plan(
    { files: { [DEST]: content }, stats: { [DEST]: stat({ mode: '0666', owner: 'admin' }) } },
    { mode: '0644', owner: 'root' },
  );
  assert.equal(r.changes.length, 1);
  assert.equal(r.changes[0].summary, `${DEST}; mode: 0666 -> 0644; owner: admin -> root`);
  assert.equal(r.changes[0].diff, `${DEST} mode: 0666 -> 0644\n${DEST} owner: admin -> root\n`);
  assert.equal(r.changes[0].ops.length, 1);
});

test('a directory at dest is a plan error at dest', () => {
  const r = plan({ stats: { [DEST]: stat({ type: 'dir' }) } }, {});
  assert.deepEqual(r.changes, []);
  assert.deepEqual(r.errors[0].argPath, ['dest']);
});

test('task vars override host vars', () => {
  const r = plan({}, { vars: { portsyncd_limits: { nofile: 1024, nproc: 1, memlock: 0 } } });
  const put = r.changes[0].ops[0];
  assert.ok(put.kind === 'put' && put.content.includes('LimitNOFILE=1024\n'));
});

test('an undefined template variable fails loudly', () => {
  const ctx = fakeContext({ vars: {}, render: (name, x) => renderTemplate(name, { ...x }) });
  assert.throws(
    () => template.diff(fakeFacts({}), { src: 'portsyncd-dropin.conf.hbs', dest: DEST, follow: false }, ctx),
    /portsyncd_limits/,
  );
});

test('schema: validate needs %s, src stays inside templates/, mode is an octal string or a bare 0644', () => {
  const base = { src: 'x.hbs', dest: DEST };
  assert.ok(validateArgs(template.schema, { ...base, validate: 'visudo -cf %s', mode: '0644' }).ok);
  assert.ok(validateArgs(template.schema, { ...base, mode: 0o644 }).ok, 'YAML reads a bare 0644 as 420, as Ansible does');
  for (const bad of [
    { ...base, validate: 'visudo -c' },
    { ...base, src: '../secrets.hbs' },
    { ...base, src: 'a/../../x.hbs' },
    { ...base, src: '/etc/x.hbs' },
    { ...base, dest: 'relative/path' },
    { ...base, mode: 644 },
    { ...base, mode: '0984' },
    { src: 'x.hbs' },
  ]) {
    assert.equal(validateArgs(template.schema, bad).ok, false, JSON.stringify(bad));
  }
});

test('needs: content and stat of dest', () => {
  assert.deepEqual(template.needs({ src: 'x.hbs', dest: DEST, follow: false }, fakeContext()), [
    { kind: 'file', path: DEST },
    { kind: 'stat', path: DEST },
  ]);
});
