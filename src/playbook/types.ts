// The loaded, validated shape of inventories and playbooks that the planner and executor consume.
import type { SourcePos } from '../module.js';

export type Vars = Record<string, unknown>;

export interface InventoryGroup {
  name: string;
  /** Direct parents (every group but `all` has at least `all`). */
  parents: string[];
  children: string[];
  /** Hosts listed directly in this group. */
  hosts: string[];
  /** vars: from the inventory file, then group_vars/<name>{.yaml,/*.yaml}. */
  vars: Vars;
  pos?: SourcePos;
}

export interface InventoryHost {
  name: string;
  /** Host vars from the inventory file, then host_vars/<name>. */
  vars: Vars;
  /** Every group the host belongs to, directly or through children, ordered for precedence:
   *  `all` first, then parents before children, ties by name. */
  groups: string[];
  pos?: SourcePos;
}

export interface Inventory {
  dir: string;
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
  /** Files of an inventory folder that are not inventories (a playbook beside them), skipped. */
  skipped?: string[];
}

export interface Task {
  name: string;
  /** Module name (the single key that is not a task keyword). */
  module: string;
  /** Raw args as written; strings may hold {{ templates }}. */
  args: Vars;
  when?: string | string[];
  tags: string[];
  notify: string[];
  /** Handler topics this handler listens to, besides its name. */
  listen: string[];
  /** `no_log: true` on the task, or on its play: its output is hidden (src/secrets/no-log.ts). */
  noLog?: boolean;
  /** loop / with_items / with_dict: the task runs once per item, with the item in `loopVar`. */
  loop?: { kind: 'loop' | 'with_items' | 'with_dict'; items: unknown; loopVar: string; indexVar?: string; label?: string };
  /** ignore_errors: true, or an expression rendered per host. */
  ignoreErrors?: boolean | string;
  /** The task or handler comes from a role: index into its play's `roles`, whose variables it sees. */
  role?: number;
  /** register: the variable that holds this task's result for the host's later tasks. */
  register?: string;
  /** changed_when / failed_when: conditions that must all hold, evaluated with the result registered. */
  changedWhen?: (string | boolean)[];
  failedWhen?: (string | boolean)[];
  /** check_mode: true never changes the host (planned and shown only); false runs under --check too. */
  checkMode?: boolean;
  /** diff: show (true) or hide (false) this task's diff whatever --diff says. */
  diff?: boolean;
  /** become / become_user on the task (or its block), checked against the play's. */
  become?: boolean;
  becomeUser?: string;
  /** meta: an engine action instead of a module (flush_handlers, noop, end_host). */
  meta?: MetaAction;
  /** The blocks this task sits in, outermost first, and in which part of each. */
  blocks?: BlockPlace[];
  pos: SourcePos;
}

/** One role as a play uses it (from `roles:`, `import_role:` or a role's meta dependencies). */
export interface RoleUse {
  name: string;
  /** The role's folder. */
  path: string;
  /** Used through another role's meta dependencies, not named by the play. */
  dependency?: boolean;
  /** defaults/main.yml: the lowest variable layer. */
  defaults: Vars;
  /** The entry's `vars:`, then vars/main.yml: above the play's vars_files. */
  vars: Vars;
  /** The entry's other keys (`- role: x\n  port: 1`): above every layer but -e, for this role's tasks only. */
  params: Vars;
}

export type MetaAction = 'flush_handlers' | 'noop' | 'end_host';

export interface BlockPlace {
  /** Unique within the play. */
  id: number;
  part: 'block' | 'rescue' | 'always';
  /** The block has a rescue part: a failure in its block part is handled there. */
  rescued: boolean;
  name?: string;
}

export interface Play {
  name: string;
  hosts: string;
  /** hosts: as written, when a list (the patterns ansible-playbook --list-hosts shows). */
  hostList?: string[];
  vars: Vars;
  varsFiles: string[];
  /** Batch sizes: ints or "N%"; the last repeats. Empty means all hosts in one batch. */
  serial: (number | string)[];
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  tags: string[];
  /** false: no `ansible_*` facts (gather_facts: false); otherwise, as in Ansible, they are read (in the one gather). */
  gatherFacts?: boolean;
  /** Roles in the order the play uses them; their tasks and handlers are in `tasks`/`handlers`. */
  roles?: RoleUse[];
  /** become / become_user play keywords: below inventory and playbook variables, above ansible.cfg and -b. */
  become?: boolean;
  becomeUser?: string;
  tasks: Task[];
  handlers: Task[];
  /** Probe tasks run on each batch after it is applied; a failure rolls the batch back and halts. */
  health?: Task[];
  pos: SourcePos;
}
