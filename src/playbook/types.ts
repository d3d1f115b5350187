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

export interface Play {
  name: string;
  hosts: string;
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
  tasks: Task[];
  handlers: Task[];
  /** Probe tasks run on each batch after it is applied; a failure rolls the batch back and halts. */
  health?: Task[];
  pos: SourcePos;
}
