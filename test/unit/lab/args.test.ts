import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabArgs } from '../../../lab/args.js';
import { ValidationError } from '../../../src/errors.js';

describe('lab arguments', () => {
  it('parses up with counts, name and inventory, in both option spellings', () => {
    assert.deepEqual(parseLabArgs(['up', '--switches', '3', '--name=e2e', '--ports=4', '--inventory', '/tmp/inv']), {
      command: 'up',
      name: 'e2e',
      switches: 3,
      ports: 4,
      inventory: '/tmp/inv',
    });
  });

  it('keeps everything after -- as the shell command, options included', () => {
    assert.deepEqual(parseLabArgs(['shell', 'leaf1', '--name', 'x', '--', 'ip', '-br', 'link']), {
      command: 'shell',
      name: 'x',
      switch: 'leaf1',
      argv: ['ip', '-br', 'link'],
    });
  });

  it('treats no command and help alike', () => {
    assert.equal(parseLabArgs([]).command, 'help');
    assert.equal(parseLabArgs(['--help']).command, 'help');
  });

  it('reports every problem at once, with a hint', () => {
    try {
      parseLabArgs(['up', '--switches', 'many', '--bogus', 'extra']);
      assert.fail('expected a ValidationError');
    } catch (err) {
      assert.ok(err instanceof ValidationError);
      const messages = err.problems.map((p) => p.message);
      assert.deepEqual(messages, [
        'unknown option --bogus for lab up',
        'unexpected argument "extra" for lab up',
        '--switches must be a whole number, got "many"',
      ]);
      assert.ok(err.problems.every((p) => p.hint));
    }
  });

  it('rejects unknown commands, a missing switch name and a command after -- outside shell', () => {
    assert.throws(() => parseLabArgs(['launch']), /unknown lab command "launch"/);
    assert.throws(() => parseLabArgs(['reboot']), /needs exactly one switch name/);
    assert.throws(() => parseLabArgs(['status', '--', 'ls']), /only lab shell takes a command/);
    assert.throws(() => parseLabArgs(['up', '--switches']), /--switches needs a value/);
  });
});
