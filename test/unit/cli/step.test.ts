// --step: ansible-playbook's question for each task the tags select, all asked before the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../../src/errors.js';
import type { Task } from '../../../src/playbook/types.js';
import { parseCliOptions } from '../../../src/cli/options.js';
import { stepThrough } from '../../../src/cli/step.js';
import { testPlay } from '../../helpers/play.js';
import { repoRoot } from '../inventory/fixture-path.js';

const task = (name: string, tags: string[] = []): Task => ({
  name,
  module: 'debug',
  args: {},
  tags,
  notify: [],
  listen: [],
  pos: { file: '/nowhere/site.yml', line: 1, col: 1 },
});

function plays() {
  return [
    { play: testPlay({ tasks: [task('a'), task('b'), task('untagged-out', ['x'])] }), hosts: [] },
    { play: testPlay({ tasks: [task('c'), task('d'), task('e')] }), hosts: [] },
  ];
}

test('y keeps a task, n or a bare Enter leaves it out, c keeps the rest without asking; only tag-selected tasks are asked', async () => {
  const answers = ['y', '', 'N', 'c'];
  const asked: string[] = [];
  const p = plays();
  await stepThrough(p, parseCliOptions(['site.yaml', '--step', '--skip-tags', 'x']), async (q) => {
    asked.push(q);
    return answers.shift()!;
  });
  assert.deepEqual(asked, [
    'Perform task: TASK: a (N)o/(y)es/(c)ontinue: ',
    'Perform task: TASK: b (N)o/(y)es/(c)ontinue: ',
    'Perform task: TASK: c (N)o/(y)es/(c)ontinue: ',
    'Perform task: TASK: d (N)o/(y)es/(c)ontinue: ',
  ]);
  // The skipped-by-tag task stays in the play: the planner leaves it out as it always does.
  assert.deepEqual(
    p.map(({ play }) => play.tasks.map((t) => t.name)),
    [
      ['a', 'untagged-out'],
      ['d', 'e'],
    ],
  );
});

test('without --step nothing is asked; without a terminal, or with --queue, it is refused', async () => {
  const p = plays();
  await stepThrough(p, parseCliOptions(['site.yaml']), () => assert.fail('asked'));
  assert.equal(p[1]!.play.tasks.length, 3);
  await assert.rejects(stepThrough(plays(), parseCliOptions(['site.yaml', '--step']), undefined), (e: unknown) => {
    return e instanceof ValidationError && /--step needs a terminal/.test(e.message);
  });
  await assert.rejects(
    stepThrough(plays(), parseCliOptions(['site.yaml', '--step', '--queue', 'redis://127.0.0.1:1/0']), async () => 'y'),
    /--queue/,
  );
});

test(
  'on a terminal the run performs only the tasks answered yes',
  { skip: !existsSync('/usr/bin/script') && 'script(1) is not installed' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psd-step-'));
    try {
      writeFileSync(join(dir, 'hosts'), 'sw1 ansible_connection=local\n');
      const copy = (n: string) => `    - name: ${n}\n      copy: {content: "${n}\\n", dest: ${dir}/${n}.txt}\n`;
      writeFileSync(join(dir, 'site.yaml'), `- hosts: all\n  gather_facts: false\n  tasks:\n${['one', 'two', 'three'].map(copy).join('')}`);
      const answers = ['n', 'y', 'n'];
      const cli = [process.execPath, join(repoRoot, 'bin/portsync-deploy.js'), 'site.yaml', '-i', 'hosts', '--step'].join(' ');
      const child = spawn('script', ['-qec', cli, '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // One answer per question shown, each once its question is on the screen.
        while (out.split('(c)ontinue:').length - 1 > 3 - answers.length) child.stdin.write(`${answers.shift()}\n`);
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(code, 0, out);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith('.txt')),
        ['two.txt'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
