// Ansible task keywords this tool does not run, each with why and what to do instead. Named in
// the error at the keyword's line, so a playbook that uses one fails before any host is read.

export const REFUSED_TASK_KEYWORDS: Record<string, { why: string; hint: string }> = {
  until: {
    why: 'a task runs once, in the one script a host gets',
    hint: 'retry inside the command itself (a shell loop), or gate the rollout with a health: probe',
  },
  retries: { why: 'a task runs once, in the one script a host gets', hint: 'retry inside the command itself (a shell loop)' },
  delay: { why: 'a task runs once, in the one script a host gets', hint: 'retry inside the command itself (a shell loop)' },
  async: { why: 'every task of a host runs in one script, in order', hint: 'remove async and poll' },
  poll: { why: 'every task of a host runs in one script, in order', hint: 'remove async and poll' },
  delegate_to: {
    why: 'a task only touches the host it plans for',
    hint: 'run the task in a play whose hosts: is the host it should run on',
  },
  local_action: { why: 'a task only touches the host it plans for', hint: 'run it in a play with hosts: localhost and connection: local' },
  run_once: { why: 'every host is planned on its own', hint: 'run the task in a play whose hosts: names one host' },
  environment: { why: 'scripts run with the login environment', hint: 'set variables inside the command: "env NAME=value prog"' },
  vars: { why: 'task-level vars are not read yet', hint: "move the variables to the play's vars: or to set_fact before the task" },
  become_flags: { why: 'become runs every script through "sudo -n"', hint: 'remove become_flags' },
};

/** meta: actions and what happens to the others. */
export const META_ACTIONS = ['flush_handlers', 'noop', 'end_host'] as const;
export const REFUSED_META: Record<string, string> = {
  end_play: 'plays end per host here; use "meta: end_host" with a when: that holds for every host',
  end_batch: 'batches are set by serial:; use "meta: end_host"',
  refresh_inventory: 'the inventory is read once, before any host is contacted',
  clear_facts: 'facts are read once per host and never cached across runs',
  clear_host_errors: 'a failed host stays failed for the run',
  reset_connection: 'one connection per host is kept for the whole run',
};
