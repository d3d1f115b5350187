import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  writeFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  existsSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { compileApplyScript, parseApplyOutput, type ScriptStep } from '../../../src/exec/apply-script.js';
import { applyHost } from '../../../src/exec/apply-host.js';
import type { HostPlan } from '../../../src/plan/types.js';
import { fakeFacts } from '../../helpers/fake-facts.js';

function tempRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'psd-apply-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'etc'), { recursive: true });
  return root;
}

/** Exec ops run inside a chroot, which a bare temp tree cannot host: those tests use the local
 *  transport with absolute paths inside the temp tree instead. */
async function runLocal(steps: ScriptStep[], force = true) {
  const tr = createLocalTransport();
  const { script } = compileApplyScript(steps, { root: '', offline: true }, force);
  const res = await tr.exec(script);
  return parseApplyOutput(res.stdout, steps.length);
}

async function run(root: string, steps: ScriptStep[], force = true) {
  const tr = createChrootTransport('h', root);
  const { script } = compileApplyScript(steps, { root: tr.root, offline: tr.offline }, force);
  const res = await tr.exec(script);
  return { res, out: parseApplyOutput(res.stdout, steps.length) };
}

/** Every file under root with its content, temp and backup files included. */
function tree(root: string, dir = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, tree(root, rel));
    else if (e.isSymbolicLink()) out[rel] = '-> ' + readlinkSync(join(root, rel));
    else out[rel] = readFileSync(join(root, rel), 'utf8');
  }
  return out;
}

test('put writes atomically with mode, creates folders, leaves no temp or backup files', async (t) => {
  const root = tempRoot(t);
  writeFileSync(join(root, 'etc/a.conf'), 'old\n');
  const content = "new 'q' $x `y` \u00e9\nPSD_EOF\n";
  const { out } = await run(root, [
    { change: { summary: 'a', ops: [{ kind: 'put', path: '/etc/a.conf', content, mode: '0640' }] }, sets: [] },
    { change: { summary: 'b', ops: [{ kind: 'put', path: '/etc/new/dir/b.conf', content: 'b' }] }, sets: [] },
    { change: { summary: 'l', ops: [{ kind: 'symlink', path: '/etc/l', target: '/etc/a.conf' }] }, sets: [] },
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'ok'],
  );
  assert.deepEqual(tree(root), { 'etc/a.conf': content, 'etc/new/dir/b.conf': 'b', 'etc/l': '-> /etc/a.conf' });
  assert.equal(statSync(join(root, 'etc/a.conf')).mode & 0o777, 0o640);
  assert.equal(statSync(join(root, 'etc/new/dir/b.conf')).mode & 0o777, 0o644);
});

test('dir makes a folder with its parents on a bare root (0755, or the declared mode) and undoes it whole', async (t) => {
  const root = tempRoot(t);
  mkdirSync(join(root, 'var/lib/kept'), { recursive: true, mode: 0o700 });
  const mode = (p: string) => (statSync(join(root, p)).mode & 0o7777).toString(8);
  const { out } = await run(root, [
    { change: { summary: 'new', ops: [{ kind: 'dir', path: '/opt/app/state', mode: '0750' }] }, sets: [] },
    { change: { summary: 'plain', ops: [{ kind: 'dir', path: '/opt/app/logs' }] }, sets: [] },
    { change: { summary: 'existing', ops: [{ kind: 'dir', path: '/var/lib/kept', mode: '0751' }] }, sets: [] },
  ]);
  assert.deepEqual(
    out.map((o) => [o.status, o.error]),
    [
      ['ok', undefined],
      ['ok', undefined],
      ['ok', undefined],
    ],
  );
  assert.deepEqual(
    [mode('opt'), mode('opt/app'), mode('opt/app/state'), mode('opt/app/logs'), mode('var/lib/kept')],
    ['755', '755', '750', '755', '751'],
  );

  // A change whose later op fails leaves no folder it made and puts an existing one's mode back.
  writeFileSync(join(root, 'etc/blocker'), 'a file, not a folder');
  const failed = await run(root, [
    {
      change: {
        summary: 'undone',
        ops: [
          { kind: 'dir', path: '/srv/new/deep', mode: '0700' },
          { kind: 'dir', path: '/var/lib/kept', mode: '0700' },
          { kind: 'put', path: '/etc/blocker/f', content: 'x' },
        ],
      },
      sets: [],
    },
  ]);
  assert.equal(failed.out[0]!.status, 'failed');
  assert.equal(existsSync(join(root, 'srv')), false);
  assert.equal(mode('var/lib/kept'), '751');
});

test('a put without mode keeps the mode of the file it replaces', async (t) => {
  const root = tempRoot(t);
  writeFileSync(join(root, 'etc/a.conf'), 'old\n', { mode: 0o600 });
  await run(root, [{ change: { summary: 'a', ops: [{ kind: 'put', path: '/etc/a.conf', content: 'x' }] }, sets: [] }]);
  assert.equal(statSync(join(root, 'etc/a.conf')).mode & 0o777, 0o600);
});

test('a failing op rolls back every file its change replaced, and the host stops there', async (t) => {
  const root = tempRoot(t);
  writeFileSync(join(root, 'etc/a.conf'), 'A-old');
  writeFileSync(join(root, 'etc/gone.conf'), 'keep me');
  const before = tree(root);
  const out = await runLocal([
    {
      change: {
        summary: 'multi',
        ops: [
          { kind: 'put', path: join(root, 'etc/a.conf'), content: 'A-new' },
          { kind: 'put', path: join(root, 'etc/created.conf'), content: 'C' },
          { kind: 'remove', path: join(root, 'etc/gone.conf') },
          { kind: 'exec', argv: ['sh', '-c', 'echo boom >&2; exit 5'] },
        ],
      },
      sets: [],
    },
    { change: { summary: 'later', ops: [{ kind: 'put', path: join(root, 'etc/later.conf'), content: 'L' }] }, sets: [] },
  ]);
  assert.equal(out[0]!.status, 'failed');
  assert.equal(out[0]!.failedOp, 3);
  assert.match(out[0]!.error!, /boom/);
  assert.match(out[0]!.error!, /exit 5/);
  assert.equal(out[1]!.status, 'not-run');
  assert.deepEqual(tree(root), before);
});

test('strictStderr fails on stderr even with exit 0; a failed validate leaves the target untouched', async (t) => {
  const root = tempRoot(t);
  writeFileSync(join(root, 'etc/a.conf'), 'A');
  const before = tree(root);
  const strict = await runLocal([
    {
      change: {
        summary: 's',
        ops: [
          { kind: 'put', path: join(root, 'etc/a.conf'), content: 'B' },
          { kind: 'exec', argv: ['sh', '-c', 'echo "Invalid argument" >&2'], strictStderr: true },
        ],
      },
      sets: [],
    },
  ]);
  assert.equal(strict[0]!.status, 'failed');
  assert.match(strict[0]!.error!, /Invalid argument/);
  assert.deepEqual(tree(root), before);
  const validate = await runLocal([
    {
      change: { summary: 'v', ops: [{ kind: 'put', path: join(root, 'etc/a.conf'), content: 'bad', validate: 'grep -q good %s' }] },
      sets: [],
    },
  ]);
  assert.equal(validate[0]!.status, 'failed');
  assert.deepEqual(tree(root), before);
  const ok = await runLocal([
    {
      change: { summary: 'v', ops: [{ kind: 'put', path: join(root, 'etc/a.conf'), content: 'good', validate: 'grep -q good %s' }] },
      sets: [],
    },
  ]);
  assert.equal(ok[0]!.status, 'ok');
  assert.equal(readFileSync(join(root, 'etc/a.conf'), 'utf8'), 'good');
});

test('live ops are skipped on an offline root; handlers run once for changes that succeeded, even after a failure', async (t) => {
  const root = tempRoot(t);
  const steps = (dir: string): ScriptStep[] => [
    {
      change: {
        summary: 'a',
        ops: [
          { kind: 'put', path: join(dir, 'etc/a'), content: 'a' },
          { kind: 'exec', argv: ['sysctl', '-w', 'x=1'], live: true },
        ],
      },
      sets: ['N0'],
    },
    { change: { summary: 'fails', ops: [{ kind: 'exec', argv: ['false'] }] }, sets: ['N1'] },
    { change: { summary: 'h0', ops: [{ kind: 'put', path: join(dir, 'etc/h0'), content: 'ran' }] }, sets: [], when: ['N0'] },
    { change: { summary: 'h1', ops: [{ kind: 'put', path: join(dir, 'etc/h1'), content: 'ran' }] }, sets: [], when: ['N1'] },
  ];
  const forced = await runLocal(steps(root));
  assert.deepEqual(
    forced.map((o) => o.status),
    ['ok', 'failed', 'ok', 'not-run'],
  );
  assert.equal(forced[0]!.skippedLive, 1);
  assert.ok(existsSync(join(root, 'etc/h0')));
  assert.ok(!existsSync(join(root, 'etc/h1')));

  const root2 = tempRoot(t);
  const unforced = await runLocal(steps(root2), false);
  assert.deepEqual(
    unforced.map((o) => o.status),
    ['ok', 'failed', 'not-run', 'not-run'],
  );
  assert.ok(!existsSync(join(root2, 'etc/h0')));
});

test('a script cut short in transit changes nothing', async (t) => {
  const root = tempRoot(t);
  const tr = createChrootTransport('h', root);
  const { script } = compileApplyScript(
    [{ change: { summary: 'a', ops: [{ kind: 'put', path: '/etc/a', content: 'x'.repeat(5000) }] }, sets: [] }],
    { root: tr.root, offline: true },
    true,
  );
  for (const cut of [0.3, 0.6, 0.95]) {
    await tr.exec(script.slice(0, Math.floor(script.length * cut)));
    assert.deepEqual(tree(root), {});
  }
});

test('uploads are staged beside their target and renamed by the script; a later failure restores the old file', async (t) => {
  const root = tempRoot(t);
  const src = join(root, 'artifact');
  writeFileSync(src, 'binary v2');
  mkdirSync(join(root, 'opt'));
  writeFileSync(join(root, 'opt/old'), 'binary v1');
  const tr = createChrootTransport('h', root);
  const upload = (path: string) => ({ kind: 'upload' as const, path, localPath: src, sha256: 'x', mode: '0755' });
  const plan = (ops: import('../../../src/module.js').Op[]): HostPlan => ({
    host: 'h',
    handlers: [],
    after: fakeFacts(),
    tasks: [
      {
        task: { name: 'deploy', module: 'm', args: {}, tags: [], notify: [], listen: [], pos: { file: 'f', line: 1, col: 1 } },
        index: 0,
        status: 'changed',
        warnings: [],
        changes: [{ summary: 'deploy', ops }],
      },
    ],
  });
  const ok = await applyHost(tr, plan([upload('/usr/local/bin/portsyncd')]), true);
  assert.equal(ok.results[0]!.status, 'changed');
  assert.equal(readFileSync(join(root, 'usr/local/bin/portsyncd'), 'utf8'), 'binary v2');
  assert.equal(statSync(join(root, 'usr/local/bin/portsyncd')).mode & 0o777, 0o755);

  const failed = await applyHost(
    tr,
    plan([upload('/opt/old'), { kind: 'put', path: '/opt', content: 'a file cannot replace a folder' }]),
    true,
  );
  assert.equal(failed.results[0]!.status, 'failed');
  assert.equal(readFileSync(join(root, 'opt/old'), 'utf8'), 'binary v1');
  assert.deepEqual(
    Object.keys(tree(root)).filter((p) => p.includes('.psd-')),
    [],
  );
});

test('a script whose connection drops mid-change (SIGHUP, output gone) still finishes the change whole', async (t) => {
  const root = tempRoot(t);
  const [a, b] = [join(root, 'etc/a'), join(root, 'etc/b')];
  const { script } = compileApplyScript(
    [
      {
        change: {
          summary: 'two files around a slow step',
          ops: [
            { kind: 'put', path: a, content: 'A' },
            { kind: 'exec', argv: ['sleep', '0.4'] },
            { kind: 'put', path: b, content: 'B' },
          ],
        },
        sets: [],
      },
    ],
    { root: '', offline: false },
    true,
  );
  const { spawn } = await import('node:child_process');
  const child = spawn('sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.on('exit', r));
  await new Promise((r) => setTimeout(r, 150));
  child.stdout.destroy(); // the session's output channel is gone
  child.stderr.destroy();
  process.kill(-child.pid!, 'SIGHUP');
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  for (let i = 0; i < 50 && !existsSync(b); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(readFileSync(a, 'utf8'), 'A');
  assert.equal(readFileSync(b, 'utf8'), 'B');
  assert.deepEqual(Object.keys(tree(root)).sort(), ['etc/a', 'etc/b']);
});

test('each new file in an existing folder starts four processes (base64, chmod, sync, mv): the folder checks are builtins', (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'psd-apply-count-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'log');
  for (const cmd of ['base64', 'chmod', 'chown', 'sync', 'mv', 'ln', 'rm', 'mkdir', 'readlink', 'mktemp', 'cp', 'find', 'stat']) {
    const real = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(bin, cmd), `#!/bin/sh\necho ${cmd} >> '${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
  }
  const started = (files: number) => {
    rmSync(log, { force: true });
    const steps: ScriptStep[] = Array.from({ length: files }, (_, i) => ({
      change: { summary: `f${i}`, ops: [{ kind: 'put', path: join(dir, `n${files}-${i}`), content: 'x\n', mode: '0644', dirLeads: dir }] },
      sets: [],
    }));
    const { script } = compileApplyScript(steps, { root: '', offline: false }, true);
    const run = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.deepEqual(
      parseApplyOutput(run.stdout, files).map((o) => o.status),
      Array(files).fill('ok'),
      run.stderr,
    );
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  };
  const one = started(1);
  const five = started(5);
  assert.equal((five.length - one.length) / 4, 4, five.join(' '));
  assert.deepEqual(one.filter((c) => c !== 'mktemp' && c !== 'rm').sort(), ['base64', 'chmod', 'mv', 'sync']);
});

test('the folder checks through a folder link leave the commands after them in the directory the script started in', (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'psd-apply-cwd-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'real'));
  mkdirSync(join(dir, 'home'));
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  const { script } = compileApplyScript(
    [
      {
        change: { summary: 'via link', ops: [{ kind: 'put', path: join(dir, 'link/a'), content: 'a\n', dirLeads: join(dir, 'real') }] },
        sets: [],
      },
      { change: { summary: 'where', ops: [{ kind: 'exec', argv: ['sh', '-c', 'pwd > "$1"', 'sh', join(dir, 'cwd')] }] }, sets: [] },
    ],
    { root: '', offline: false },
    true,
  );
  const run = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', cwd: join(dir, 'home') });
  assert.deepEqual(
    parseApplyOutput(run.stdout, 2).map((o) => o.status),
    ['ok', 'ok'],
    run.stderr,
  );
  assert.equal(readFileSync(join(dir, 'real/a'), 'utf8'), 'a\n');
  assert.equal(readFileSync(join(dir, 'cwd'), 'utf8'), `${join(dir, 'home')}\n`);
});
