// Shape of plays and of the task keywords (the module's own args have the module's schema).
const stringOrList = (what: string) => ({
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  'x-hint': `${what} is a name or a list of names`,
});
const conditions = {
  anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }],
  'x-hint': 'when is an expression such as "tuning_profile == \'latency\'", or a list of them that must all hold',
};

export const playSchema = {
  $id: 'portsync-deploy/play',
  type: 'object',
  'x-hint': 'a play is a mapping with hosts and tasks, or "import_playbook: FILE"',
  properties: {
    name: { type: 'string' },
    hosts: {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      'x-hint': 'hosts is a host pattern such as "all", "leaf", "leaf*:!leaf03" or a list of them',
    },
    vars: { type: ['object', 'null'], 'x-hint': 'vars is a mapping of variable name to value' },
    vars_files: {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      'x-hint': 'vars_files is a list of YAML files, relative to the playbook',
    },
    serial: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?%$' },
        {
          type: 'array',
          minItems: 1,
          items: {
            anyOf: [
              { type: 'integer', minimum: 1 },
              { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?%$' },
            ],
          },
        },
      ],
      'x-hint': 'serial is a batch size: a number of hosts (5), a share ("20%"), or a list of them ([1, 5, "50%"]; the last repeats)',
    },
    max_fail_percentage: { type: 'number', minimum: 0, maximum: 100, 'x-hint': 'max_fail_percentage is a number from 0 to 100' },
    any_errors_fatal: { type: 'boolean', 'x-hint': 'any_errors_fatal is true or false' },
    no_log: { type: 'boolean', 'x-hint': 'no_log is true or false; it applies to every task of the play' },
    become: { type: 'boolean', 'x-hint': "become is true or false: run the play's scripts through sudo -n" },
    become_user: { type: 'string', 'x-hint': 'become_user is a user name (default root)' },
    become_method: { const: 'sudo', 'x-hint': 'only sudo is supported: become runs every script through "sudo -n"' },
    tags: stringOrList('tags'),
    gather_facts: { type: 'boolean', 'x-hint': 'gather_facts is true or false (true: the ansible_* facts are read in the one gather)' },
    gather_subset: {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      'x-hint': 'gather_subset names fact subsets; here the facts a play uses are read, whatever the subset',
    },
    roles: {
      type: ['array', 'null'],
      items: { type: ['string', 'object'] },
      'x-hint': 'roles is a list of role names, or of mappings such as "- role: NAME" with its parameters',
    },
    tasks: { type: ['array', 'null'], 'x-hint': 'tasks is a list of tasks, each starting with "- "' },
    handlers: { type: ['array', 'null'], 'x-hint': 'handlers is a list of tasks, each starting with "- "' },
    health: { type: ['array', 'null'], 'x-hint': 'health is a list of probe tasks (e.g. health_check), each starting with "- "' },
  },
  required: ['hosts'],
  additionalProperties: false,
} as const;

export const importSchema = {
  $id: 'portsync-deploy/import',
  type: 'object',
  properties: {
    import_playbook: { type: 'string', 'x-hint': 'import_playbook is a playbook file, relative to the importing file' },
    name: { type: 'string' },
  },
  required: ['import_playbook'],
  additionalProperties: false,
} as const;

/** Task keywords only: every other key of a task is its module. */
export const taskKeywordsSchema = {
  $id: 'portsync-deploy/task',
  type: 'object',
  properties: {
    name: { type: 'string' },
    when: conditions,
    tags: stringOrList('tags'),
    notify: stringOrList('notify'),
    listen: stringOrList('listen'),
    no_log: { type: 'boolean', 'x-hint': 'no_log is true or false' },
    args: { type: 'object', 'x-hint': "args is a mapping of the module's args, beside a free-form one (command: ls, args: {chdir: /tmp})" },
    loop: { type: ['array', 'string'], 'x-hint': 'loop is a list, or an expression giving one ("{{ settings | dict2items }}")' },
    with_items: { type: ['array', 'string'], 'x-hint': 'with_items is a list, or an expression giving one' },
    with_dict: { type: ['object', 'string'], 'x-hint': 'with_dict is a mapping, or an expression giving one' },
    loop_control: {
      type: 'object',
      additionalProperties: false,
      properties: {
        loop_var: { type: 'string', pattern: '^[A-Za-z_]\\w*$' },
        index_var: { type: 'string', pattern: '^[A-Za-z_]\\w*$' },
        label: { type: 'string' },
      },
      'x-hint': 'loop_control takes loop_var, index_var and label',
    },
    ignore_errors: { type: ['boolean', 'string'], 'x-hint': 'ignore_errors is true, false or an expression ("{{ ansible_check_mode }}")' },
    register: { type: 'string', pattern: '^[A-Za-z_]\\w*$', 'x-hint': 'register is a variable name such as "result"' },
    changed_when: {
      ...conditions,
      'x-hint': 'changed_when is an expression (or a list that must all hold), e.g. "false" or "result.rc == 2"',
    },
    failed_when: {
      ...conditions,
      'x-hint': 'failed_when is an expression (or a list that must all hold), e.g. "result.rc not in [0, 1]"',
    },
    check_mode: { type: 'boolean', 'x-hint': 'check_mode is true (never change, only show) or false (run even under --check)' },
    diff: { type: 'boolean', 'x-hint': "diff is true or false: show this task's diff with or without --diff" },
    become: { type: 'boolean', 'x-hint': 'become is true or false' },
    become_user: { type: 'string', 'x-hint': 'become_user is a user name' },
    become_method: { const: 'sudo', 'x-hint': 'only sudo is supported: become runs every script through "sudo -n"' },
  },
} as const;

/** Keys of a block; its when, tags and the rest apply to every task inside. */
export const BLOCK_KEYWORDS = [
  'name',
  'block',
  'rescue',
  'always',
  'when',
  'tags',
  'become',
  'become_user',
  'become_method',
  'check_mode',
  'diff',
  'ignore_errors',
  'no_log',
];

export const TASK_KEYWORDS = [
  'name',
  'when',
  'tags',
  'notify',
  'listen',
  'no_log',
  'args',
  'loop',
  'with_items',
  'with_dict',
  'loop_control',
  'ignore_errors',
  'register',
  'changed_when',
  'failed_when',
  'check_mode',
  'diff',
  'become',
  'become_user',
  'become_method',
];
