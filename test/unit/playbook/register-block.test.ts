// register, changed_when/failed_when, block/rescue/always, meta, check_mode/diff, become and
// --start-at-task through the CLI, on a local target confined to a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../modules/support.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

type Event = Record<string, unknown>;

function setup(t: { after(fn: () => void): void }, playbook: (dir: string) => string, hostVars = '') {
  const dir = mkdtempSync(join(tmpdir(), 'psd-register-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n    sw1:\n      connection: local\n${hostVars}`);
  writeFileSync(join(dir, 'site.yaml'), playbook(dir));
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml'), '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const events = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Event);
    return { code: r.status, events, out: r.stdout + r.stderr };
  };
  return { dir, run };
}

const results = (events: Event[]) => events.filter((e) => e.event === 'result');
/** task → "status msg", in the order the run reported them. */
const story = (events: Event[]) => results(events).map((e) => `${String(e.task)}: ${String(e.status)}${e.msg ? ` ${String(e.msg)}` : ''}`);
/** Each problem as printed: file:line:col, path, message and hint. */
const problemText = (events: Event[]) =>
  events
    .filter((e) => e.event === 'problems')
    .flatMap((e) => (e.problems as { text: string }[]).map((p) => p.text))
    .join('\n');
const recap = (events: Event[]) =>
  (events.find((e) => e.event === 'recap') as { hosts: Record<string, Record<string, number>> }).hosts.sw1!;

test('register: a read-only command runs while the host is read; when, debug and args use its rc and stdout', (t) => {
  const { dir, run } = setup(
    t,
    (d) => `- hosts: all
  tasks:
    - name: read
      shell: echo hello; echo warn >&2
      register: r
      changed_when: false
    - name: show
      debug: { msg: "{{ r.stdout }}/{{ r.stderr }}/{{ r.rc }}/{{ r.stdout_lines | length }}" }
    - name: write
      copy: { content: "{{ r.stdout }}", dest: ${d}/out.txt }
      register: w
    - name: only when written
      debug: { msg: "written {{ 'yes' if w.changed else 'no' }}" }
      when: w is changed
    - name: only when rc is 1
      debug: { msg: never }
      when: r.rc == 1
`,
  );
  const first = run();
  assert.equal(first.code, 0, first.out);
  assert.deepEqual(story(first.events), [
    'read: ok',
    'show: ok hello/warn/0/1',
    'write: changed',
    'only when written: ok written yes',
    'only when rc is 1: skipped when: r.rc == 1 is false',
  ]);
  assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'hello');
  const again = run();
  assert.match(story(again.events).join('\n'), /only when written: skipped/);
  // The command ran inside the one gather: a converged run is one round trip.
  assert.equal(recap(again.events).round_trips, 1);
});

test("register under --check: a command is skipped with Ansible's check-mode result, unless check_mode: false", (t) => {
  const { run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - name: skipped
      command: echo one
      register: a
      changed_when: false
    - name: runs anyway
      command: echo two
      register: b
      changed_when: false
      check_mode: false
    - debug: { msg: "a={{ a.stdout }} skipped={{ a.skipped | ternary('y', 'n') }} rc={{ a.rc }} b={{ b.stdout }}" }
`,
  );
  const r = run('--check');
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(story(r.events), ['skipped: skipped skipped in check mode', 'runs anyway: ok', 'debug: ok a= skipped=y rc=0 b=two']);
});

test('failed_when and a failing read-only command fail the host at that task; ignore_errors goes on', (t) => {
  const { run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - name: probe
      command: /bin/false
      register: p
      changed_when: false
      ignore_errors: true
    - name: judged
      command: echo 3
      register: n
      changed_when: false
      failed_when: n.stdout | int > 2
    - name: never
      debug: { msg: no }
`,
  );
  const r = run();
  assert.equal(r.code, 1, r.out);
  assert.deepEqual(story(r.events), [
    'probe: ok failed, ignored (ignore_errors): the command exited 1',
    'judged: failed failed_when holds: n.stdout | int > 2',
  ]);
});

test('the output of a command that changes the host is refused in a later task, located, with the way out', (t) => {
  const { run } = setup(
    t,
    (d) => `- hosts: all
  tasks:
    - name: change
      command: touch ${d}/x
      register: c
    - name: use
      debug: { msg: "{{ c.stdout }}" }
`,
  );
  const r = run();
  assert.equal(r.code, 3, r.out);
  assert.match(r.out, /site\.yaml:7:\d+/);
  assert.match(r.out, /changed_when: false/);
});

test('block / rescue / always: a failure moves to rescue, always runs, the host goes on and counts it rescued', (t) => {
  const { dir, run } = setup(
    t,
    (d) => `- hosts: all
  tasks:
    - name: guarded
      when: true
      block:
        - name: first
          copy: { content: a, dest: ${d}/a }
        - name: breaks
          command: /bin/false
        - name: not reached
          copy: { content: b, dest: ${d}/b }
      rescue:
        - name: recover
          copy: { content: r, dest: ${d}/r }
      always:
        - name: cleanup
          debug: { msg: always }
    - name: after
      debug: { msg: after }
    - block:
        - name: fine
          debug: { msg: fine }
      rescue:
        - name: unused rescue
          copy: { content: u, dest: ${d}/u }
    - block:
        - name: unrescued
          command: /bin/false
      always:
        - name: still runs
          debug: { msg: still }
    - name: host failed before this
      debug: { msg: no }
`,
  );
  const r = run();
  assert.equal(r.code, 1, r.out);
  assert.deepEqual(
    story(r.events).map((l) => l.replace(/ \(exit 1\)$/, '')),
    [
      'first: changed',
      'breaks: failed',
      'recover: changed',
      'cleanup: ok always',
      'after: ok after',
      'fine: ok fine',
      'unrescued: failed',
      'still runs: ok still',
    ],
  );
  assert.equal(existsSync(join(dir, 'a')), true);
  assert.equal(existsSync(join(dir, 'b')), false);
  assert.equal(readFileSync(join(dir, 'r'), 'utf8'), 'r');
  assert.equal(existsSync(join(dir, 'u')), false, 'a rescue whose block did not fail never runs');
  assert.equal(recap(r.events).rescued, 1);
  assert.equal(recap(r.events).failed, 1);
  // Check mode shows no rescue part: nothing failed in the plan.
  rmSync(join(dir, 'a'));
  const plan = run('--check');
  assert.equal(
    story(plan.events).some((l) => /recover|unused/.test(l)),
    false,
    plan.out,
  );
});

test('a plan-time failure in a block (failed_when) goes to its rescue, in check mode too', (t) => {
  const { run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - block:
        - name: check
          command: echo bad
          register: c
          changed_when: false
          check_mode: false
          failed_when: "'bad' in c.stdout"
        - name: skipped by the failure
          debug: { msg: no }
      rescue:
        - name: handled
          debug: { msg: "rescued {{ c.stdout }}" }
`,
  );
  for (const args of [[], ['--check']]) {
    const r = run(...args);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(story(r.events), ["check: failed failed_when holds: 'bad' in c.stdout", 'handled: ok rescued bad']);
  }
});

test('meta: flush_handlers runs the handlers notified so far at that point; end_host stops the host', (t) => {
  const { dir, run } = setup(
    t,
    (d) => `- hosts: all
  tasks:
    - name: one
      copy: { content: "1", dest: ${d}/one }
      notify: h1
    - meta: flush_handlers
    - name: two
      copy: { content: "2", dest: ${d}/two }
      notify: [h1, h2]
    - meta: end_host
      when: stop | default(false)
    - name: three
      debug: { msg: three }
  handlers:
    - name: h1
      debug: { msg: handler one }
    - name: h2
      debug: { msg: handler two }
`,
  );
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(story(r.events), [
    'one: changed',
    'h1: ok handler one',
    'two: changed',
    'three: ok three',
    'h1: ok handler one',
    'h2: ok handler two',
  ]);
  rmSync(join(dir, 'two'));
  const stopped = run('-e', 'stop=true');
  assert.deepEqual(story(stopped.events), ['one: ok', 'two: changed', 'h1: ok handler one', 'h2: ok handler two']);
});

test('refused keywords and meta actions are located errors that say what to do', (t) => {
  const { run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - name: wait
      command: echo
      until: x
      retries: 3
    - meta: end_play
    - block:
        - debug: { msg: x }
      loop: [1]
`,
  );
  const r = run();
  assert.equal(r.code, 3, r.out);
  const text = problemText(r.events);
  assert.match(text, /site\.yaml:5:7 .*task keyword "until" is not supported/);
  assert.match(text, /site\.yaml:6:7 .*task keyword "retries"/);
  assert.match(text, /site\.yaml:7:\d+ .*meta: end_play is not supported.*\n {2}hint: supported: flush_handlers, noop, end_host/);
  assert.match(text, /site\.yaml:10:7 .*"loop" is not a block keyword/);
});

test('check_mode: true only shows a change; diff: true shows its diff without --diff, diff: false hides it', (t) => {
  const { dir, run } = setup(
    t,
    (d) => `- hosts: all
  tasks:
    - name: shown only
      copy: { content: x, dest: ${d}/never }
      check_mode: true
    - name: with diff
      copy: { content: y, dest: ${d}/y }
      diff: true
    - name: without diff
      copy: { content: z, dest: ${d}/z }
      diff: false
`,
  );
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(story(r.events), ['shown only: changed', 'with diff: changed', 'without diff: changed']);
  assert.equal(existsSync(join(dir, 'never')), false);
  const changes = results(r.events).map((e) => (e.changes as { diff?: string; shown?: boolean }[])[0]);
  assert.equal(changes[1]?.shown, true);
  assert.match(changes[1]?.diff ?? '', /\+y/);
  assert.equal(changes[2]?.diff, undefined);
  // The converged re-run still shows the check_mode task as a change it would make, and does not fail verify.
  const again = run();
  assert.equal(again.code, 0, again.out);
});

test('verify after a converged run: a rescue on standby, a check_mode task and a flush are no drift', (t) => {
  const { dir, run } = setup(
    t,
    (d) => `- hosts: all
  tasks:
    - block:
        - name: written
          copy: { content: w, dest: ${d}/w }
          notify: h
      rescue:
        - name: standby
          copy: { content: r, dest: ${d}/r }
    - meta: flush_handlers
    - name: shown only
      copy: { content: x, dest: ${d}/never }
      check_mode: true
  handlers:
    - name: h
      debug: { msg: handled }
`,
  );
  assert.equal(run().code, 0);
  const verify = spawnSync(process.execPath, [BIN, 'verify', join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml'), '--json'], {
    encoding: 'utf8',
  });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  const tasks = verify.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event)
    .filter((e) => e.event === 'verify')
    .map((e) => `${String(e.task)}: ${String(e.ok)}`);
  assert.deepEqual(tasks, ['written: true']);
  // A drifted file is drift again.
  writeFileSync(join(dir, 'w'), 'other');
  const drifted = spawnSync(process.execPath, [BIN, 'verify', join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml')], { encoding: 'utf8' });
  assert.equal(drifted.status, 2, drifted.stdout + drifted.stderr);
});

test('become on a task must match the play; plays that disagree on become for a host are refused', (t) => {
  const { dir, run } = setup(
    t,
    () => `- hosts: all
  become: true
  tasks:
    - debug: { msg: x }
      become: false
- hosts: all
  tasks:
    - debug: { msg: y }
`,
  );
  const r = run('--check');
  assert.equal(r.code, 3, r.out);
  assert.match(problemText(r.events), /site\.yaml:6:3 host sw1: play "all" runs with no become, play "all" with become as root/);
  writeFileSync(join(dir, 'site.yaml'), readFileSync(join(dir, 'site.yaml'), 'utf8').split('- hosts: all\n  tasks:')[0]!);
  const task = run('--check');
  assert.equal(task.code, 3, task.out);
  assert.match(problemText(task.events), /site\.yaml:5:7 .*become: false differs from the play's \(true\)/);
});

test('--start-at-task skips every task before the first of that name; --step off a terminal is refused with a reason', (t) => {
  const { run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - name: a
      debug: { msg: a }
- hosts: all
  tasks:
    - name: b
      debug: { msg: b }
    - name: c
      debug: { msg: c }
`,
  );
  assert.deepEqual(story(run('--start-at-task', 'b').events), ['b: ok b', 'c: ok c']);
  const none = run('--start-at-task', 'nope');
  assert.equal(none.code, 3);
  assert.match(problemText(none.events), /--start-at-task "nope": no task of the playbook has that name/);
  const step = run('--step');
  assert.equal(step.code, 3);
  assert.match(problemText(step.events) || step.out, /--step needs a terminal, and stdin is not one/);
});

test('the registered output of a no_log task stays masked wherever a later task shows it', (t) => {
  const { run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - name: secret
      command: echo s3cr3t-token-value
      register: tok
      changed_when: false
      no_log: true
    - debug: { msg: "token is {{ tok.stdout }}" }
    - debug: { var: tok }
`,
  );
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /s3cr3t-token-value/);
  assert.match(r.out, /token is \*{8}/);
});

test('set_fact of a registered result reaches later tasks; a registered result naming a managed path is refused', (t) => {
  const { dir, run } = setup(
    t,
    () => `- hosts: all
  tasks:
    - name: lines
      shell: printf 'alpha\\nbeta\\n'
      register: r
      changed_when: false
    - set_fact: { first: "{{ r.stdout_lines[0] }}" }
    - debug: { msg: "first={{ first }} second={{ r.stdout_lines[1] }}" }
`,
  );
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(story(r.events).slice(-1), ['debug: ok first=alpha second=beta']);
  writeFileSync(
    join(dir, 'site.yaml'),
    `- hosts: all
  tasks:
    - shell: echo name
      register: r
      changed_when: false
    - name: named by output
      copy: { content: x, dest: "${dir}/{{ r.stdout_lines[0] }}" }
`,
  );
  const bad = run();
  assert.equal(bad.code, 3, bad.out);
  assert.match(problemText(bad.events), /site\.yaml:\d+:\d+ .*named by output.*uses? a registered result to name what it reads/s);
});
