// no_log through the CLI on a chroot root: the task still writes its file whole, but no output
// (text with --diff, --json, a plan-time error) shows its content; a play's no_log covers its
// tasks unless a task says no_log: false.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');
const TOKEN = 'api-token-5f2e9c';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup(t: { after(fn: () => void): void }, playbook: string) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-nolog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  mkdirSync(join(dir, 'inv'));
  writeFileSync(
    join(dir, 'inv/hosts.yaml'),
    `all:\n  hosts:\n    sw1:\n      connection: chroot\n      chroot_dir: ${join(dir, 'root')}\n      api_token: ${TOKEN}\n`,
  );
  writeFileSync(join(dir, 'site.yaml'), playbook);
  return { dir, site: join(dir, 'site.yaml'), inv: join(dir, 'inv') };
}

const PLAY = `- hosts: all
  tasks:
    - name: Token file
      no_log: true
      copy:
        dest: /etc/token.conf
        content: "token {{ api_token }}\\nline two\\n"
    - name: Public file
      copy:
        dest: /etc/public.conf
        content: "public\\n"
`;

test('a no_log task applies whole, and its summary, diff content and messages are hidden in text and JSON; other tasks show', (t) => {
  const { dir, site, inv } = setup(t, PLAY);
  const text = cli(['plan', site, '-i', inv]);
  assert.equal(text.code, 2, text.err + text.out);
  assert.ok(!text.out.includes(TOKEN) && !text.out.includes('line two'), text.out);
  assert.match(text.out, /\*{8} \(hidden: no_log is set\)/);
  // Same shape: the diff keeps its hunk header and one marked line per line.
  assert.match(text.out, /@@ -0,0 \+1,2 @@\n\s+\+\*{8}\n\s+\+\*{8}\n/);
  assert.match(text.out, /\+public/);
  const json = cli([site, '-i', inv, '--diff', '--json']);
  assert.equal(json.code, 0, json.err + json.out);
  assert.ok(!json.out.includes(TOKEN), json.out);
  const hidden = json.out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((e) => e.event === 'result' && e.task === 'Token file');
  assert.equal(hidden.no_log, true);
  assert.equal(hidden.changes[0].summary, '******** (hidden: no_log is set)');
  assert.equal(readFileSync(join(dir, 'root/etc/token.conf'), 'utf8'), `token ${TOKEN}\nline two\n`);
  assert.equal(statSync(join(dir, 'root/etc/public.conf')).mode & 0o777, 0o644);
});

test("a play's no_log covers its tasks unless a task sets no_log: false", (t) => {
  const { site, inv } = setup(
    t,
    `- hosts: all
  no_log: true
  tasks:
    - name: Hidden by the play
      copy: { dest: /etc/a.conf, content: "a {{ api_token }}\\n" }
    - name: Shown
      no_log: false
      copy: { dest: /etc/b.conf, content: "b-visible\\n" }
`,
  );
  const r = cli(['plan', site, '-i', inv]);
  assert.equal(r.code, 2, r.out + r.err);
  assert.ok(!(r.out + r.err).includes(TOKEN), r.out);
  assert.match(r.out, /\+b-visible/);
});

test("a no_log task's plan-time error names where, never the value", (t) => {
  const { site, inv } = setup(
    t,
    `- hosts: all
  tasks:
    - name: Bad value
      no_log: true
      template:
        src: "x-{{ api_token }}.hbs"
        dest: /etc/x.conf
`,
  );
  for (const json of [false, true]) {
    const r = cli(['plan', site, '-i', inv, ...(json ? ['--json'] : [])]);
    assert.equal(r.code, 3, r.out + r.err);
    assert.ok(!(r.out + r.err).includes(TOKEN), r.out + r.err);
    assert.match(r.out + r.err, /site\.yaml:\d+:\d+/);
    assert.match(r.out + r.err, /Bad value/);
    assert.match(r.out + r.err, /hidden: no_log is set/);
  }
});
