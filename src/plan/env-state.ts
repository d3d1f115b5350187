// State kept beside a plan environment, which a run makes once (its reads, its memos): made when
// first asked, dropped with the environment, so a later run or a driver planning in an environment
// of its own (verify, health probes) starts afresh.
import type { PlanEnv } from './types.js';

/** `make()`'s value for each environment, made the first time that environment asks. */
export function perPlanEnv<T>(make: () => T): (env: PlanEnv) => T {
  const byEnv = new WeakMap<PlanEnv, T>();
  return (env) => {
    let state = byEnv.get(env);
    if (state === undefined) byEnv.set(env, (state = make()));
    return state;
  };
}
