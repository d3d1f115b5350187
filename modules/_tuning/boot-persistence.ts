// Settings the kernel forgets at reboot (IRQ affinity, RPS masks) are persisted as a boot script
// plus a oneshot unit that runs it, both rendered from templates/tuning/. One script per module,
// enabled through a plain wants/ symlink so that it also works on an offline root. Scripts write
// with `>` (truncating), which a real sysfs file and a plain file (the lab's emulated knobs) both
// take as "replace the value"; tmpfiles.d `w` lines do not truncate.
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts, FactQuery } from '../../src/facts/types.js';
import { fileChange } from '../_shared/file-change.js';
import { DAEMON_RELOAD } from '../_shared/handlers.js';
import { unifiedDiff } from '../_shared/unified-diff.js';

export interface BootUnit {
  /** Module name, shown in the files' headers. */
  module: string;
  /** What the script restores, e.g. "IRQ affinity of Ethernet* NICs". */
  description: string;
  scriptPath: string;
  unitName: string;
  /**
   * Run before sysinit.target (after tmpfiles.d), so that services start under the setting (THP:
   * memory mapped before it keeps the old policy). Otherwise the unit runs with multi-user.target,
   * after the network, when the NICs it looks up are there.
   */
  early?: boolean;
}

export interface BootFiles {
  script: string;
  unit: string;
}

const unitPath = (u: BootUnit) => `/etc/systemd/system/${u.unitName}`;
const wantedBy = (u: BootUnit) => (u.early ? 'sysinit.target' : 'multi-user.target');
const wantsLink = (u: BootUnit) => `/etc/systemd/system/${wantedBy(u)}.wants/${u.unitName}`;

export function bootNeeds(u: BootUnit): FactQuery[] {
  return [
    { kind: 'file', path: u.scriptPath },
    { kind: 'stat', path: u.scriptPath },
    { kind: 'file', path: unitPath(u) },
    { kind: 'stat', path: unitPath(u) },
    // The enablement link: its target is what counts, not a hash of the unit it leads to.
    { kind: 'stat', path: wantsLink(u), hash: false },
  ];
}

/** The script (from the module's rule data) and its unit, rendered through the host's templates. */
export function renderBootFiles(ctx: PlanContext, u: BootUnit, scriptData: Record<string, unknown>): BootFiles {
  const common = { module: u.module, description: u.description, scriptPath: u.scriptPath, unitName: u.unitName };
  return {
    script: ctx.render('tuning/boot-script.sh.hbs', {
      irqRules: [],
      rpsRules: [],
      thpRules: [],
      sockFlowEntries: null,
      ...scriptData,
      ...common,
    }),
    unit: ctx.render('tuning/boot-unit.service.hbs', { ...common, early: u.early === true, wantedBy: wantedBy(u) }),
  };
}

function enabled(facts: Facts, u: BootUnit): boolean {
  const link = facts.stat(wantsLink(u));
  return link?.type === 'link' && link.target === unitPath(u);
}

/** Changes that install the script, the unit and its enablement; [] when all are in place. */
export function bootInstallChanges(facts: Facts, u: BootUnit, files: BootFiles): Change[] {
  const changes: Change[] = [];
  const script = fileChange(facts, { path: u.scriptPath, content: files.script, mode: '0755', owner: 'root', group: 'root' });
  if (script) changes.push(script);
  const unit = fileChange(facts, { path: unitPath(u), content: files.unit, mode: '0644', owner: 'root', group: 'root' });
  if (unit) changes.push({ ...unit, notify: [DAEMON_RELOAD] });
  if (!enabled(facts, u)) {
    changes.push({
      summary: `enable ${u.unitName} (restores the setting at boot)`,
      diff: `${wantsLink(u)} -> ${unitPath(u)}\n`,
      ops: [{ kind: 'symlink', path: wantsLink(u), target: unitPath(u) }],
      notify: [DAEMON_RELOAD],
    });
  }
  return changes;
}

/** Changes that remove the script, the unit and its enablement; [] when none is left. */
export function bootRemovalChanges(facts: Facts, u: BootUnit): Change[] {
  const changes: Change[] = [];
  if (facts.stat(wantsLink(u))) {
    changes.push({
      summary: `disable ${u.unitName}`,
      ops: [{ kind: 'remove', path: wantsLink(u) }],
      notify: [DAEMON_RELOAD],
    });
  }
  for (const path of [unitPath(u), u.scriptPath]) {
    const before = facts.file(path);
    if (before === null && !facts.stat(path)) continue;
    changes.push({
      summary: `remove ${path}`,
      diff: unifiedDiff(path, before, null),
      ops: [{ kind: 'remove', path }],
      ...(path === unitPath(u) ? { notify: [DAEMON_RELOAD] } : {}),
    });
  }
  return changes;
}

/** For verify: `value` when script and unit are installed as rendered and enabled, else what is wrong. */
export function bootPersisted(facts: Facts, u: BootUnit, files: BootFiles, value: string): string | null {
  const script = facts.file(u.scriptPath);
  if (script === null) return null;
  if (script !== files.script) return `${u.scriptPath} differs`;
  if (facts.file(unitPath(u)) !== files.unit) return `${unitPath(u)} differs`;
  if (!enabled(facts, u)) return `${u.unitName} not enabled`;
  return value;
}
