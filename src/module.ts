// The contract between the engine and every module under modules/<name>/.
// The engine discovers modules by folder and knows none of them by name.
import type { CmdFact, Facts, FactQuery } from './facts/types.js';

export type JSONSchema = Record<string, unknown>;

/** A position in a YAML source file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** Set by the engine on every op with a path, never by a module: where the path's folder led
 *  (`readlink -m`) when a live host was read. The apply refuses the op, writing nothing, when the
 *  folder leads elsewhere by then (a folder swapped for a symlink between the read and the apply). */
interface FolderLed {
  dirLeads?: string;
}

/** One write or command on the target. Ops are data; the executor runs them through the transport. */
export type Op =
  | ({
      kind: 'put';
      path: string;
      content: string;
      mode?: string;
      owner?: string;
      group?: string;
      /** Command run on the temp file before the rename, without a shell: words split like sh
       *  splits them, and every `%s` in a word stands for the temp file's path (see shell-words.ts). */
      validate?: string;
      /** When `path` is a symlink: true writes the file it points to (inside the root on chroot);
       *  false (the default) replaces the link with the file. */
      follow?: boolean;
    } & FolderLed)
  | ({ kind: 'remove'; path: string } & FolderLed)
  | ({ kind: 'symlink'; path: string; target: string } & FolderLed)
  | ({
      /** A folder at `path` (made with its parents when missing, 0755 unless `mode` says), with
       *  the declared mode and owner. Plain file work: an offline root needs no binaries of its own. */
      kind: 'dir';
      path: string;
      mode?: string;
      owner?: string;
      group?: string;
    } & FolderLed)
  | {
      kind: 'exec';
      argv: string[];
      /** Touches the running system (sysctl -w, systemctl): skipped on an offline root such as chroot. */
      live?: boolean;
      /** Treat any stderr output as a failure even when the exit code is 0. */
      strictStderr?: boolean;
      /** The live values this command changes, as data: the overlay applies them, so later
       *  tasks plan against them (the command itself is never read back). */
      effects?: Effect[];
      /** Its part in a reload command several ops share (systemd's daemon-reload). */
      reload?: SharedReload;
    }
  | ({
      kind: 'upload';
      path: string;
      /** Local file streamed to the target (large artifacts); written atomically like `put`. */
      localPath: string;
      sha256: string;
      mode?: string;
      owner?: string;
      group?: string;
      follow?: boolean;
    } & FolderLed);

/**
 * How an exec op stands to a reload command that several ops share (`systemctl daemon-reload`).
 * The apply script runs such a reload at most once while nothing else ran or was written since
 * it last ran (it is "due" at the start of every script and after any other op):
 * - `is`: the op is that reload; it runs only while due.
 * - `owes`: the op did its work without the reload it would make (`systemctl --no-reload
 *   enable`); the reload runs before the next exec op that does not owe it too, and at the end
 *   of the script at the latest (a failure there fails the step that owed it).
 * - `keeps`: the op changes nothing the reload reads (`systemctl start`): it leaves the reload
 *   as it was (an owed one still runs before it).
 */
export interface SharedReload {
  /** The reload command; ops naming the same argv share it. */
  argv: string[];
  role: 'is' | 'owes' | 'keeps';
}

/** A live value an `exec` op changes. Files are modelled from the file ops themselves. */
export type Effect =
  | { kind: 'sysctl'; key: string; value: string }
  /** A kernel file outside /proc/sys (sysfs, /proc/irq) after the command: `value` is what a read
   *  of it shows then, e.g. "always [madvise] never" after `madvise` was written. */
  | { kind: 'sysfs'; path: string; value: string }
  /** Unit state after the command: `active` (ActiveState) and/or `enabled` (UnitFileState). */
  | { kind: 'unit'; name: string; active?: string; enabled?: string };

/** Ops of one Change are all-or-nothing: when an op fails, the executor restores every file the
 *  change's earlier put/remove/symlink ops replaced, and reports the change as failed. */
export interface Change {
  /** One line for humans, e.g. "net.core.somaxconn: 4096 -> 8192". */
  summary: string;
  /** Unified diff (or before -> after lines for live values). */
  diff?: string;
  ops: Op[];
  /** Handler names (or module handler keys) to notify when this change is applied. */
  notify?: string[];
  /** false: the ops run but the result counts as ok, not changed (command's `changed_when: false`). */
  changed?: boolean;
  /** The settings this change converges, as data: what `verify` reports for a module without
   *  `inspect` (summary and diff are rendered for humans and never read back). */
  settings?: ChangedSetting[];
}

/** One setting a change converges: what the playbook wants and what the host has now. */
export interface ChangedSetting {
  setting: string;
  desired: string;
  /** The live value (a file's current lines); null when absent. */
  live?: string | null;
  persisted?: string | null;
}

/** What a module sees while planning one host. Pure: no I/O. It does not name the host: the
 *  engine adds host and task to every message, so one problem on many hosts prints once. */
export interface PlanContext {
  /** Name of the task being planned; managed files name it in their header. */
  taskName?: string;
  /** The host's resolved variables. */
  vars: Record<string, unknown>;
  /** True in --check mode. */
  check: boolean;
  /** The transport's file root is offline (chroot): live kernel/systemd state is not available. */
  offline: boolean;
  /** Render a template from templates/ with the host's vars plus `extra`. Strict: undefined variables throw. */
  render(template: string, extra?: Record<string, unknown>): string;
  /** Report a non-fatal concern; shown with the task result. */
  warn(message: string): void;
  /** A message the task shows as its result (`debug`). */
  note(message: string): void;
  /** A condition in the `when:` language over the host's vars and facts (`assert`'s `that`). */
  test(expr: string): boolean;
  /** The value of an expression over the host's vars (`debug`'s `var`). */
  value(expr: string): unknown;
  /**
   * Report a plan-time error. `argPath` points into the task's args (e.g. ['settings', 'vm.swappiness'])
   * so the engine can name the file:line:column the value came from.
   */
  error(message: string, argPath?: (string | number)[], hint?: string): void;
  /** A read of a control machine file every host asks for (a build's artifact): `read` runs once
   *  per run and `key` (the module's name and the path, say); every later host gets its value, or
   *  its error thrown again. */
  readOnce<T>(key: string, read: () => T): T;
}

/** One setting as `verify` reports it: what the playbook wants, what runs, what survives a reboot. */
export interface SettingState {
  setting: string;
  desired: string;
  /** Live value (kernel, sysfs, unit state); undefined when the setting has no live side. */
  live?: string | null;
  /** Value in the persisted config (file, unit, boot script); undefined when it has no persisted side. */
  persisted?: string | null;
  ok: boolean;
}

/** What the probe phase does for a probe: read `before`, run `argv`, then read the probe's needs.
 *  `probe` reads the action's result as `facts.cmd(argv)` and the earlier reads as declared. */
export interface ProbeAction {
  before: FactQuery[];
  argv: string[];
}

/** One health check as a probe module reports it: pass or fail with the value it measured. */
export interface ProbeResult {
  check: string;
  ok: boolean;
  /** What was measured, e.g. "active (READY)", "p99 412us", "rss 48MB". */
  value: string;
  /** The threshold it was held to, when there is one, e.g. "<= 500us". */
  threshold?: string;
  /** The check could not run (offline root, a tool missing on the host): neither healthy nor
   *  unhealthy, and counted apart. `ok` says whether the task lets that pass. */
  notProbed?: boolean;
  /** The numbers behind `value`, for charts: one measure, or a histogram (count per bucket, upper bound `le`). */
  figure?: { unit: string; value?: number; buckets?: { le: number; count: number }[] };
}

export interface Module<Args = Record<string, unknown>> {
  name: string;
  /** Other names the module answers to: Ansible's short and fully qualified names of the same job
   *  with the same args (`ansible.builtin.copy`). */
  aliases?: string[];
  /** Ansible modules whose job this one does with different args; named in the error when a
   *  playbook uses one of them. */
  covers?: string[];
  /** The arg a free-form string goes to (`command: /usr/bin/true`); other args come from `args:`. */
  freeForm?: string;
  /** Pure: variables this task sets for the host's later tasks (`set_fact`), from its rendered args. */
  setsVars?(args: Args): Record<string, unknown>;
  /** JSON Schema for the args; ajv fills in defaults. */
  schema: JSONSchema;
  /** Pure: what the module must read from the host. */
  needs(args: Args, ctx: PlanContext): FactQuery[];
  /** Pure: the changes that would bring the host to the desired state. [] means ok. */
  diff(facts: Facts, args: Args, ctx: PlanContext): Change[];
  /** Pure: per-setting desired/live/persisted for `verify`. Modules without it are verified by diff alone. */
  inspect?(facts: Facts, args: Args, ctx: PlanContext): SettingState[];
  /** Pure: health checks over gathered facts. A module with `probe` changes nothing; any failed
   *  result fails the task (and, in a play's `health` list, the batch). */
  probe?(facts: Facts, args: Args, ctx: PlanContext): ProbeResult[];
  /** Pure, probe modules only: an action the probe phase runs on the host before the probe's
   *  facts are read (a self-test that flaps a port). Never part of a gather: plan, --check and
   *  verify never run it; only the health gate after an apply and `health` do. */
  act?(args: Args, ctx: PlanContext): ProbeAction | undefined;
  /** Skipped entirely in check mode (e.g. `command`). */
  skipInCheck?: boolean;
  /** A module that runs a command: how a registered task marked read-only (`changed_when: false`)
   *  runs while the host is read, and the result Ansible registers for it. */
  commandResult?: {
    /** Pure: the query that runs it; undefined when it cannot run unconditionally (creates/removes). */
    query(args: Args): FactQuery | undefined;
    /** Pure: the registered result from its output; without output (it did not run: check mode),
     *  Ansible's check-mode result. */
    result(args: Args, out?: CmdFact): Record<string, unknown>;
  };
  /** Handlers this module's changes notify, by identity: a handler shared by several modules is
   *  one object (modules/_shared/handlers.ts) that each of them lists. */
  handlers?: readonly ModuleHandler[];
}

/** A handler a module's changes notify by its `key`. Declared once; modules list the object. */
export interface ModuleHandler {
  key: string;
  summary: string;
  ops: Op[];
  /** Module handlers run in ascending order (a daemon-reload before the restarts that need it). */
  order: number;
}
