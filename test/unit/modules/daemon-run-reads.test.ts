import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import daemon from '../../../modules/daemon/index.js';
import type { DaemonArgs } from '../../../modules/daemon/schema.js';
import { planContext, type TaskSink } from '../../../src/plan/context.js';
import type { PlanEnv } from '../../../src/plan/types.js';
import type { Task } from '../../../src/playbook/types.js';
import { fakeFacts } from '../../helpers/fake-facts.js';
import { renderTemplate, withDefaults } from './support.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const task: Task = {
  name: 'Deploy portsyncd',
  module: 'daemon',
  args: {},
  tags: [],
  notify: [],
  listen: [],
  pos: { file: 'site.yaml', line: 3, col: 5 },
};

function env(): PlanEnv {
  return {
    registry: { get: () => undefined, validateArgs: () => [], handlers: () => new Map() },
    renderArgs: (a) => a,
    renderTemplate: (name, vars) => renderTemplate(name, vars),
    evalWhen: () => true,
    check: true,
    tags: { only: [], skip: [] },
  };
}

/** The sha256 the host's upload carries, and the problems its plan found. */
function uploaded(runEnv: PlanEnv, host: string, raw: Record<string, unknown>) {
  const args = withDefaults<DaemonArgs>(daemon.schema, { config: {}, ...raw });
  const sink: TaskSink = { warnings: [], problems: [] };
  const ctx = planContext(host, { playbook_dir: '/nowhere' }, task, args, runEnv, false, sink);
  const facts = fakeFacts({ cmds: { 'uname -m': { rc: 0, stdout: 'x86_64\n', stderr: '' } } });
  daemon.needs(args, ctx);
  const ops = daemon.diff(facts, args, ctx).flatMap((c) => c.ops);
  const upload = ops.find((op) => op.kind === 'upload');
  return { sha256: upload?.kind === 'upload' ? upload.sha256 : undefined, problems: sink.problems.map((p) => p.message) };
}

test('a run reads each artifact once: a later host gets what the first read, the next run reads it again', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-run-reads-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const artifact = join(dir, 'portsyncd-a.tar.gz');
  const other = join(dir, 'portsyncd-b.tar.gz');
  writeFileSync(artifact, 'first build');
  writeFileSync(other, 'another build');

  const run = env();
  assert.deepEqual(uploaded(run, 'leaf-1', { artifact }), { sha256: sha('first build'), problems: [] });
  writeFileSync(artifact, 'second build, longer');
  assert.equal(uploaded(run, 'leaf-2', { artifact }).sha256, sha('first build'), 'the same run keeps what it read');
  assert.equal(uploaded(run, 'leaf-3', { artifact: other }).sha256, sha('another build'), 'another path is read for itself');
  assert.equal(uploaded(env(), 'leaf-1', { artifact }).sha256, sha('second build, longer'), 'a new run reads again');

  const gone = join(dir, 'portsyncd-gone.tar.gz');
  assert.match(uploaded(run, 'leaf-4', { artifact: gone }).problems[0]!, /cannot read the portsyncd artifact .*: no such file$/);
  writeFileSync(gone, 'built meanwhile');
  assert.match(uploaded(run, 'leaf-5', { artifact: gone }).problems[0]!, /no such file$/, 'every host of the run gets the same answer');
});

test("a relative artifact is read from the playbook folder of each host, not from the first host's", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-run-reads-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.tar.gz'), 'in the playbook folder');
  const run = env();
  const args = withDefaults<DaemonArgs>(daemon.schema, { config: {}, artifact: 'a.tar.gz' });
  const shaIn = (playbookDir: string) => {
    const sink: TaskSink = { warnings: [], problems: [] };
    const ctx = planContext('leaf-1', { playbook_dir: playbookDir }, task, args, run, false, sink);
    const facts = fakeFacts({ cmds: { 'uname -m': { rc: 0, stdout: 'x86_64\n', stderr: '' } } });
    const upload = daemon
      .diff(facts, args, ctx)
      .flatMap((c) => c.ops)
      .find((op) => op.kind === 'upload');
    return upload?.kind === 'upload' ? upload.sha256 : sink.problems.map((p) => p.message).join();
  };
  assert.equal(shaIn(dir), sha('in the playbook folder'));
  assert.match(shaIn(join(dir, 'elsewhere')), /no such file$/);
});
