// shell: Ansible's shell module, a command line run by /bin/sh -c; the command module's plan with
// the line as its `cmd` (so creates, removes and chdir behave the same).
import type { Module } from '../../src/module.js';
import command from '../command/index.js';
import type { CommandArgs } from '../command/schema.js';
import { schema, type ShellArgs } from './schema.js';

const asCommand = (a: ShellArgs): CommandArgs => ({
  cmd: a.free_form ?? a.cmd,
  chdir: a.chdir,
  creates: a.creates,
  removes: a.removes,
  changed_when: true,
});

const shell: Module<ShellArgs> = {
  name: 'shell',
  aliases: ['ansible.builtin.shell'],
  freeForm: 'free_form',
  schema,
  skipInCheck: true,
  commandResult: {
    query: (args) => command.commandResult!.query(asCommand(args)),
    result: (args, out) => command.commandResult!.result({ ...asCommand(args), argv: undefined, free_form: undefined }, out),
  },
  needs: (args, ctx) => command.needs(asCommand(args), ctx),
  diff: (facts, args, ctx) => command.diff(facts, asCommand(args), ctx),
};

export default shell;
