// Reads of the control machine's files that every host of a run asks for (the artifact a build
// names and its checksum): made once per plan environment (env-state.ts), instead of a stat or two
// per host. A run takes such files as they are when it first reads them, so all its hosts get the
// same answer; a failed read (a file missing) is kept and thrown again as well.
import { perPlanEnv } from './env-state.js';

type Outcome = { value: unknown } | { error: unknown };

export class RunReads {
  private readonly done = new Map<string, Outcome>();

  /** What `read` gives (or throws) for `key`, asked of `read` only the first time. */
  once<T>(key: string, read: () => T): T {
    let outcome = this.done.get(key);
    if (!outcome) {
      try {
        outcome = { value: read() };
      } catch (error) {
        outcome = { error };
      }
      this.done.set(key, outcome);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value as T;
  }
}

export const runReadsOf = perPlanEnv(() => new RunReads());
