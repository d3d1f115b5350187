// The inventory's vault values are found before it loads, so that their keys derive on Node's
// thread pool (src/vault/keyring.ts) while the run loads its playbook: opening a value on the
// main thread costs about 16 ms of PBKDF2, before the first host can be contacted.
import { deriveVaultKeysAhead } from '../vault/keyring.js';
import { readRegular } from '../read-regular.js';
import { YAML_LIMITS } from '../validate/yaml-source.js';
import { inventoryFiles } from './load.js';

/** Starts deriving the keys of the vault values in the inventory's files (read only when a vault
 *  password was given). Never fails: a file that cannot be listed or read is reported when the
 *  inventory loads. */
export function deriveInventoryVaultKeysAhead(paths: string[]): Promise<void> {
  return deriveVaultKeysAhead(textsOf(paths));
}

function* textsOf(paths: string[]): Generator<string> {
  let files: string[];
  try {
    files = inventoryFiles(paths);
  } catch {
    return;
  }
  for (const file of files) {
    const text = readable(file);
    if (text !== undefined) yield text;
  }
}

function readable(file: string): string | undefined {
  try {
    return readRegular(file, YAML_LIMITS.bytes);
  } catch {
    return undefined;
  }
}
