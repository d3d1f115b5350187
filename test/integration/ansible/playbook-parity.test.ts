// The same playbook run by Debian's ansible-playbook and by portsync-deploy, each on a local
// target confined to its own temp folder: register and when on registered results,
// changed_when/failed_when, block/rescue/always and meta: flush_handlers must give the same task
// results, in the same order, with the same debug messages, and leave the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../unit/modules/support.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

const PLAYBOOK = `- hosts: all
  tasks:
    - name: read state
      command: cat {{ base }}/state
      register: st
      changed_when: false
      failed_when: false
      check_mode: false
    - name: show state
      debug: { msg: "state={{ st.stdout }} rc={{ st.rc }} lines={{ st.stdout_lines | length }}" }
    - name: write config
      copy: { content: "value={{ st.stdout | default('none', true) }}\\n", dest: "{{ base }}/conf" }
      register: conf
      notify: reload
    - name: report change
      debug: { msg: "config changed" }
      when: conf is changed
    - name: report ok
      debug: { msg: "config kept" }
      when: conf is not changed
    - meta: flush_handlers
    - name: guarded
      block:
        - name: step one
          lineinfile: { path: "{{ base }}/log", line: one, create: true }
        - name: step fails
          command: /bin/false
          when: st.rc != 0
        - name: step never
          debug: { msg: never }
      rescue:
        - name: recover
          copy: { content: "recovered\\n", dest: "{{ base }}/state" }
      always:
        - name: finally
          debug: { msg: "finally {{ st.rc }}" }
    - name: last
      debug: { msg: "done" }
  handlers:
    - name: reload
      debug: { msg: "reloading" }
`;

/** Tasks that run debug: their messages are compared too (other modules word their messages their own way). */
const DEBUG_TASKS = new Set(['show state', 'report change', 'report ok', 'reload', 'step never', 'finally', 'last']);
const shown = (task: string, status: string, msg: unknown) =>
  msg !== undefined && status === 'ok' && DEBUG_TASKS.has(task) ? { msg: String(msg) } : {};

interface Row {
  task: string;
  status: string;
  msg?: string;
}

function ansibleRun(dir: string, check: boolean): Row[] {
  const r = spawnSync(
    'ansible-playbook',
    ['-i', 'localhost,', '-c', 'local', join(dir, 'site.yaml'), '-e', `base=${join(dir, 'target')}`, ...(check ? ['--check'] : [])],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
        ANSIBLE_GATHERING: 'explicit',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
        ANSIBLE_CONFIG: '',
        ANSIBLE_RETRY_FILES_ENABLED: 'false',
      },
    },
  );
  assert.ok(r.status === 0 || r.status === 2, `ansible-playbook exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
  const out = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[] };
  return out.plays.flatMap((p) =>
    p.tasks.flatMap(({ task, hosts }) => {
      const h = hosts.localhost;
      if (!h) return [];
      const status = h.failed ? 'failed' : h.skipped ? 'skipped' : h.changed ? 'changed' : 'ok';
      return [{ task: task.name, status, ...shown(task.name, status, h.msg) }];
    }),
  );
}

function ourRun(dir: string, check: boolean): Row[] {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      join(dir, 'site.yaml'),
      '-i',
      join(dir, 'hosts.yaml'),
      '-e',
      `base=${join(dir, 'target')}`,
      '--json',
      ...(check ? ['--check'] : []),
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  assert.ok(r.status === 0 || r.status === 2, `portsync-deploy exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event === 'result')
    .map((e) => ({ task: String(e.task), status: String(e.status), ...shown(String(e.task), String(e.status), e.msg) }));
}

function workspace(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-parity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'site.yaml'), PLAYBOOK);
  writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    localhost:\n      connection: local\n');
  rmSync(join(dir, 'target'), { recursive: true, force: true });
  spawnSync('mkdir', ['-p', join(dir, 'target')]);
  return dir;
}

const files = (dir: string) =>
  Object.fromEntries(
    readdirSync(join(dir, 'target'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, 'target', f), 'utf8')]),
  );

test('register, when, block/rescue/always and flush_handlers: the same results, order and files as ansible-playbook', (t) => {
  const theirs = workspace(t);
  const ours = workspace(t);
  // First run: no state, so the block fails and its rescue writes the state; second run: the
  // state is read, nothing fails; third: check mode on the result.
  for (const [i, check] of [false, false, true].entries()) {
    const expected = ansibleRun(theirs, check);
    const got = ourRun(ours, check);
    assert.deepEqual(got, expected, `run ${i + 1}${check ? ' (--check)' : ''}`);
    assert.deepEqual(files(ours), files(theirs), `files after run ${i + 1}`);
  }
  // The story the first run tells, so a change on both sides cannot hide a regression.
  rmSync(join(ours, 'target'), { recursive: true });
  spawnSync('mkdir', ['-p', join(ours, 'target')]);
  assert.deepEqual(
    ourRun(ours, false).map((r) => `${r.task}: ${r.status}`),
    [
      'read state: ok',
      'show state: ok',
      'write config: changed',
      'report change: ok',
      'report ok: skipped',
      'reload: ok',
      'step one: changed',
      'step fails: failed',
      'recover: changed',
      'finally: ok',
      'last: ok',
    ],
  );
});
