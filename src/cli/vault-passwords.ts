// Collects the vault passwords the options and environment name, once per invocation.
import { terminalPrompt } from '../transport/terminal-prompt.js';
import { setVaultPasswords } from '../vault/keyring.js';
import { collectVaultPasswords } from '../vault/passwords.js';
import type { CliOptions } from './options.js';

export async function loadVaultPasswords(o: CliOptions): Promise<void> {
  const list = await collectVaultPasswords(
    { passwordFiles: o.vaultPasswordFiles, askVaultPass: o.askVaultPass, vaultIds: o.vaultIds },
    process.env,
    terminalPrompt(),
  );
  setVaultPasswords(list);
}
