// A change marked `changed: false` (command's changed_when: false) runs its ops, but counts as
// ok everywhere: result, recap, exit code, handlers, check mode and the verify after apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../../../src/module.js';
import type { Play, Task } from '../../../src/playbook/types.js';
import type { PlanEnv, RegistryLike } from '../../../src/plan/types.js';
import type { RunEvent } from '../../../src/report/events.js';
import { runPlaybook } from '../../../src/exec/run.js';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { textReporter } from '../../../src/report/text.js';
import { testPlay } from '../../helpers/play.js';

/** Always "runs": writes the host name to its path, reported ok, notifying `h` on its own. */
const probe: Module<{ path: string }> = {
  name: 'probe',
  schema: {},
  needs: (a) => [{ kind: 'file', path: a.path }],
  diff: (_f, a, ctx) => [
    {
      summary: `probe ${a.path}`,
      ops: [{ kind: 'put', path: a.path, content: String(ctx.vars.inventory_hostname) }],
      changed: false,
      notify: ['h'],
    },
  ],
};
const registry: RegistryLike = {
  get: (n) => (n === 'probe' ? (probe as unknown as Module) : undefined),
  validateArgs: () => [],
  handlers: () => new Map(),
};
const env = (check: boolean): PlanEnv => ({
  registry,
  renderArgs: (a) => a,
  renderTemplate: () => '',
  evalWhen: () => true,
  check,
  tags: { only: [], skip: [] },
});
const pos = { file: 'site.yaml', line: 1, col: 1 };
const task = (name: string, path: string, notify: string[] = []): Task => ({
  name,
  module: 'probe',
  args: { path },
  tags: [],
  notify,
  listen: [],
  pos,
});
const play: Play = testPlay({
  pos,
  tasks: [task('read-only run', '/etc/seen', ['h'])],
  handlers: [task('h', '/etc/handler')],
});

async function run(root: string, check: boolean) {
  const events: RunEvent[] = [];
  let text = '';
  const text$ = textReporter({
    write: (s) => (text += s),
    writeErr: (s) => (text += s),
    colour: false,
    live: false,
    diff: true,
    verbose: false,
  });
  const code = await runPlaybook([{ play, hosts: [{ name: 'h1', vars: { inventory_hostname: 'h1', chroot_dir: root } }] }], {
    env: env(check),
    forks: 1,
    forceHandlers: true,
    transportFor: (h, v) => createChrootTransport(h, v.chroot_dir as string),
    reporter: { emit: (e) => (events.push(e), text$.emit(e)) },
  });
  return { code, events, text };
}

test('changed: false runs the ops and reports ok: no changed count, no handler, exit 0 in check and apply', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'psd-unchanged-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'etc'));
  for (const check of [true, false]) {
    const { code, events, text } = await run(root, check);
    assert.equal(code, 0, `check=${check}`);
    const results = events.filter((e) => e.event === 'result') as Extract<RunEvent, { event: 'result' }>[];
    assert.deepEqual(
      results.map((r) => [r.task, r.status, r.changes.length]),
      [['read-only run', 'ok', 0]],
      `check=${check}`,
    );
    const recap = events.at(-1) as Extract<RunEvent, { event: 'recap' }>;
    assert.equal(recap.hosts.h1!.ok, 1);
    assert.equal(recap.hosts.h1!.changed, 0);
    assert.doesNotMatch(text, /changed: |HANDLER/);
  }
  assert.equal(readFileSync(join(root, 'etc/seen'), 'utf8'), 'h1', 'the ops ran');
  assert.equal(existsSync(join(root, 'etc/handler')), false, 'a change that reports ok notifies nothing');
});
