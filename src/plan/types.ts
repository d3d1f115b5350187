// What the planner produces and what it needs from the rest of the engine.
import type { Change, Module, Op, ProbeResult, SettingState } from '../module.js';
import type { Problem } from '../errors.js';
import type { FactQuery, Facts } from '../facts/types.js';
import type { Task, Vars } from '../playbook/types.js';
import type { SourcePos } from '../module.js';

/** The part of the module registry the planner uses. */
export interface RegistryLike {
  get(name: string): Module | undefined;
  validateArgs(name: string, args: Vars, argsRoot: object): Problem[];
  /** Module handlers by key, in their run order. */
  handlers(): Map<string, { module: string; summary: string; ops: Op[] }>;
}

/** Variable rendering and conditions, injected so the planner stays pure and testable. */
export interface PlanEnv {
  registry: RegistryLike;
  renderArgs(args: Vars, vars: Vars, where: { task: Task; host: string }): Vars;
  /** A function of the name and the variables it reads (a plan reuses a diff's output for a host
   *  whose variables give the same reads, src/plan/diff-memo.ts); a render that reads a file
   *  calls noteControlRead, anything else noteUnkeyable (src/render/name-reads.ts). */
  renderTemplate(name: string, vars: Vars): string;
  /** Compiles ahead the templates the run's hosts may render, while it waits for its hosts;
   *  never throws (a template that cannot be compiled is reported by its render). */
  compileTemplatesAhead?(): Promise<void>;
  evalWhen(expr: string, vars: Vars, where?: SourcePos): boolean;
  check: boolean;
  tags: { only: string[]; skip: string[] };
}

export interface PreparedTask {
  task: Task;
  /** Index in the play's task list (handlers: in its handler list). */
  index: number;
  module: Module;
  args: Vars;
  queries: FactQuery[];
  /** The host's vars for this task: with the loop item, or with earlier tasks' set_fact. */
  vars?: Vars;
  /** One item of a loop: its label, shown with the task. */
  item?: string;
  /** A failed change of this task is reported and the host goes on (ignore_errors). */
  ignoreErrors?: boolean;
  /** Its when, args or conditions use a result registered earlier, or its args read Ansible's
   *  facts: rendered again at plan time, when those are known. */
  deferred?: 'registered' | 'facts';
  /** A registered read-only command: run while the host is read, by this query. */
  readQuery?: FactQuery;
}

/** A host's tasks with args rendered and validated, and the facts they need. */
export interface PreparedHost {
  host: string;
  vars: Vars;
  tasks: PreparedTask[];
  handlers: PreparedTask[];
  queries: FactQuery[];
  /** Variables that stand in for registered results and set_fact values known only at plan time:
   *  a task rendered again at plan time sees them only as the plan sets them. */
  placeholders?: string[];
  /** The play gathers facts and reads Ansible's: they join the variables of when: and templates. */
  ansibleFacts?: boolean;
  problems: Problem[];
  /** A task or handler could not be prepared at all (bad args, a loop that is no list): its
   *  problems end the run before any host is read. Otherwise every task is prepared, and problems
   *  a module found in its args (a kernel key no Linux has) can be reported with the plan's. */
  incomplete?: boolean;
}

export interface TaskPlan {
  task: Task;
  index: number;
  /** 'failed': known to fail before anything runs (failed_when, a read-only command's exit code). */
  status: 'ok' | 'changed' | 'skipped' | 'failed';
  /** check_mode: true on the task: shown, never applied. */
  checkOnly?: boolean;
  /** A rescue task planned for the case its block fails; shown and applied only then. */
  standby?: boolean;
  /** meta: flush_handlers: the handlers notified so far run here. */
  flush?: HandlerPlan[];
  changes: Change[];
  warnings: string[];
  msg?: string;
  /** Label of the loop item this plan is for. */
  item?: string;
  /** A failed change is reported as ignored and the host goes on. */
  ignoreErrors?: boolean;
  /** With the `inspect` hook: per setting, desired vs live vs persisted. */
  settings?: SettingState[];
  /** With the `probe` hook, for probe modules: each check's result. */
  probes?: ProbeResult[];
}

/** What a driver asks the planning pass for besides the plan. */
export interface PlanHooks {
  /** verify: each task's settings (module.inspect, or read from its pending changes). */
  inspect?: boolean;
  /** health: each probe task's results (module.probe). */
  probe?: boolean;
  /** Handler keys notified by changes already applied (a step-by-step apply's handlers). */
  notified?: string[];
}

export interface HandlerPlan {
  name: string;
  /** 'module' handlers come from a module's `handlers`; 'play' handlers are tasks of the play. */
  source: 'module' | 'play';
  changes: Change[];
  /** Notify keys of changes that trigger this handler. */
  keys: string[];
  noLog?: boolean;
  /** What a handler module says (debug). */
  msg?: string;
}

export interface HostPlan {
  host: string;
  tasks: TaskPlan[];
  /** Handlers notified by at least one planned change, in run order. */
  handlers: HandlerPlan[];
  /** The facts as this plan leaves them (the overlay of every planned change). */
  after: Facts;
}

/** How a task plan is named in results: a loop item carries its label, as Ansible shows it. */
export function taskLabel(t: TaskPlan): string {
  return t.item === undefined ? t.task.name : `${t.task.name} (item=${t.item})`;
}

/** A task whose changes the apply makes (so they notify handlers): not one under check_mode: true. */
export function applied(t: TaskPlan): boolean {
  return !t.checkOnly;
}

/** A change counts as pending unless the module marked it as one that reports ok. */
export function isChange(c: Change): boolean {
  return c.changed !== false;
}
