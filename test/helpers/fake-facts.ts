// Facts built from plain data, for table tests of modules' pure needs/diff.
import type { Facts, HostFacts, StatFact, UnitFact, CmdFact } from '../../src/facts/types.js';
import type { PlanContext } from '../../src/module.js';

export interface FakeFactsData {
  host?: Partial<HostFacts>;
  files?: Record<string, string>;
  stats?: Record<string, StatFact>;
  sysctl?: Record<string, string>;
  units?: Record<string, UnitFact>;
  cmds?: Record<string, CmdFact>; // key: argv joined by ' '
  /** Folders' names, newest first. */
  entries?: Record<string, string[]>;
  /** Ansible's facts, keyed as in ansible_facts. */
  system?: Record<string, unknown>;
}

export const defaultHost: HostFacts = {
  hostname: 'sw1',
  kernel: '6.1.0-18-amd64',
  machine: 'x86_64',
  cpusOnline: [0, 1, 2, 3],
  numaNodes: [0],
  systemd: true,
};

export function fakeFacts(d: FakeFactsData = {}): Facts {
  const host = { ...defaultHost, ...d.host };
  return {
    host,
    file: (p) => d.files?.[p] ?? null,
    stat: (p) => d.stats?.[p] ?? null,
    sysctl: (k) => d.sysctl?.[k] ?? null,
    unit: (n) => d.units?.[n] ?? { load: 'not-found', active: 'inactive', sub: 'dead', enabled: '' },
    cmd: (argv) => d.cmds?.[argv.join(' ')] ?? { rc: 127, stdout: '', stderr: 'not found' },
    entries: (p) => d.entries?.[p] ?? null,
    system: () => d.system ?? {},
    sysfs: () => undefined,
    files: (glob) => {
      const re = new RegExp(
        '^' +
          glob
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*') +
          '$',
      );
      return Object.fromEntries(Object.entries(d.files ?? {}).filter(([p]) => re.test(p)));
    },
  };
}

export interface RecordingContext extends PlanContext {
  warnings: string[];
  notes: string[];
  errors: { message: string; argPath?: (string | number)[]; hint?: string }[];
}

/** A PlanContext that records warnings and errors; `render` is supplied by the caller. */
export function fakeContext(opts: Partial<PlanContext> = {}): RecordingContext {
  const warnings: string[] = [];
  const notes: string[] = [];
  const errors: RecordingContext['errors'] = [];
  return {
    test: () => {
      throw new Error('test not supplied to fakeContext');
    },
    value: () => {
      throw new Error('value not supplied to fakeContext');
    },
    vars: {},
    check: false,
    offline: false,
    render: () => {
      throw new Error('render not supplied to fakeContext');
    },
    readOnce: (_key, read) => read(),
    ...opts,
    warnings,
    notes,
    errors,
    warn: (m) => void warnings.push(m),
    note: (m) => void notes.push(m),
    error: (message, argPath, hint) => void errors.push({ message, argPath, hint }),
  };
}
