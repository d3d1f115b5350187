// `verify` for modules without `inspect`: each pending change's settings, as the module declared
// them (`Change.settings`). Summary and diff text are for humans and never read back: a change
// that declares no settings is reported by its summary, as differing.
import type { Change, SettingState } from '../module.js';

/** The settings one pending change converges, live vs desired. */
export function settingsFromChange(c: Change): SettingState[] {
  const declared = c.settings?.length ? c.settings : [{ setting: c.summary, desired: 'as planned', live: 'differs' }];
  return declared.map((s) => ({ ...s, ok: false }));
}

/** What a converged task declares, named by its target where the args have one. */
export function convergedSetting(module: string, args: Record<string, unknown>): SettingState {
  const target = ['dest', 'path', 'file', 'name'].map((k) => args[k]).find((v) => typeof v === 'string');
  return { setting: typeof target === 'string' ? `${module} ${target}` : module, desired: 'as declared', live: 'matches', ok: true };
}
