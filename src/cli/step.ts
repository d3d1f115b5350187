// --step, as ansible-playbook asks it: "Perform task: TASK: NAME (N)o/(y)es/(c)ontinue:" for each
// task the tags select. A host gets all its tasks in one script, so every question comes before
// anything runs (not between tasks): a declined task is left out of the run, as --start-at-task
// leaves tasks out; "c" keeps this task and every later one without asking.
import { createInterface } from 'node:readline/promises';
import { ValidationError } from '../errors.js';
import type { PlayInput } from '../exec/run.js';
import { taskSelected } from '../plan/tags.js';
import type { CliOptions } from './options.js';

export type Ask = (question: string) => Promise<string>;

export async function stepThrough(plays: PlayInput[], o: CliOptions, ask: Ask | undefined = terminalQuestion()): Promise<void> {
  if (!o.step) return;
  if (!ask || o.queue !== undefined) {
    throw new ValidationError([
      {
        message:
          o.queue !== undefined
            ? '--step cannot be used with --queue: workers load the run themselves'
            : '--step needs a terminal, and stdin is not one',
        hint: 'review every change first with --check --diff; --start-at-task NAME and --tags pick where and what to run',
      },
    ]);
  }
  let asking = true;
  for (const { play } of plays) {
    const kept = [];
    for (const task of play.tasks) {
      if (asking && taskSelected(play, task, { only: o.tags, skip: o.skipTags })) {
        const answer = (await ask(`Perform task: TASK: ${task.name} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
        if (answer === 'c' || answer === 'continue') asking = false;
        else if (answer !== 'y' && answer !== 'yes') continue;
      }
      kept.push(task);
    }
    play.tasks = kept;
  }
}

/** A line read from the terminal, the question on stderr; undefined when stdin is not a terminal. */
function terminalQuestion(): Ask | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}
