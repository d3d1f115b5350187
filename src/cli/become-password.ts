// -K / --ask-become-pass: sudo's password, asked once on the terminal, as Ansible asks it. It joins
// the lowest variable layer as ansible_become_password (an inventory's own value wins, as in
// Ansible) and is a secret from the moment it is typed: masked in every output.
import { ValidationError } from '../errors.js';
import { secrets } from '../secrets/redact.js';
import { terminalPrompt } from '../transport/terminal-prompt.js';
import type { CliOptions } from './options.js';

export async function askBecomePassword(o: CliOptions): Promise<void> {
  if (!o.askBecomePass) return;
  if (o.queue !== undefined) {
    throw new ValidationError([
      {
        message: '-K / --ask-become-pass cannot be used with --queue: a typed password never leaves this process',
        hint: 'give the workers ansible_become_password as a vault-encrypted inventory variable',
      },
    ]);
  }
  const prompt = terminalPrompt();
  if (!prompt) {
    throw new ValidationError([
      {
        message: '-K / --ask-become-pass needs a terminal, and stdin is not one',
        hint: 'set ansible_become_password as a vault-encrypted inventory variable',
      },
    ]);
  }
  const password = await prompt('BECOME password: ');
  if (password) secrets.add(password);
  o.connectionVars = { ...o.connectionVars, ansible_become_password: password };
}
