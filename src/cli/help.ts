// --help text; the exit codes match EXIT in src/errors.ts.
export const USAGE = `Usage:
  portsync-deploy PLAYBOOK -i INVENTORY [options]     apply the playbook
  portsync-deploy plan PLAYBOOK -i INVENTORY          the same as --check --diff
  portsync-deploy validate PLAYBOOK -i INVENTORY      check inputs; contact no host
  portsync-deploy verify PLAYBOOK -i INVENTORY        desired vs live vs persisted, per setting
  portsync-deploy render --host H TEMPLATE -i INV     render a template for one host
  portsync-deploy inventory -i INV --list | --host H  resolved variables, like ansible-inventory
  portsync-deploy health [PLAYBOOK] -i INV            fleet health table; changes nothing (exit 1: unhealthy)
  portsync-deploy monitoring -i INV --out DIR         Prometheus config, targets, rules and a Grafana dashboard
  portsync-deploy vault encrypt|decrypt|view|encrypt_string ...   Ansible Vault (vault --help)
  portsync-deploy worker --queue redis://H:P/DB [--group G] [--concurrency N]   run host jobs of queued runs
  portsync-deploy lab ...                             the switch lab (lab --help)

Options:
  -i, --inventory PATH     inventory folder, INI or YAML file; repeat to merge several in order
  -C, --check              plan only: change nothing
  -D, --diff               show unified diffs of every change
  -l, --limit PATTERN      restrict hosts (names, groups, globs, a:b, !x, &x); @FILE reads one per line
  -t, --tags T[,T]         run only tasks with these tags
      --skip-tags T[,T]    skip tasks with these tags
  -e, --extra-vars K=V     extra variable (highest precedence); -e @vars.yaml loads a file
  -f, --forks N            hosts worked on at once (default 50)
      --json               one JSON event per line (every host's detail); the last line is the recap
      --per-host           a line per host and task instead of hosts grouped by identical outcome
      --report FILE.html   also write a self-contained HTML report (runs, plan, verify, health)
  -v, --verbose            also print round trips and bytes uploaded per host, and what
                           ansible.cfg set or ignored; -vv adds per-phase timings; -vvv each
                           connection, exec and upload as it happens; -vvvv each script's steps
      --accept-new-host-keys  trust unknown SSH host keys on first use (changed keys are refused)
      --no-force-handlers  do not run handlers for a host whose later task failed
      --vault-password-file F  vault password file, or an executable printing it (repeatable)
  -J, --ask-vault-pass     ask for the vault password on the terminal
      --vault-id ID@SRC    a vault id's password: SRC is a file, an executable or "prompt" (repeatable)
                           (CI: PORTSYNC_VAULT_PASSWORD holds the password, ANSIBLE_VAULT_PASSWORD_FILE names a file)
  -u, --user USER          SSH login user (below any ansible_user of the inventory, as in Ansible)
  -b, --become             run every script through sudo (--become-user U, default root)
  -K, --ask-become-pass    ask for sudo's password on the terminal (else sudo must not ask)
      --step               on a terminal: ask for each task, before the run, whether to perform it
      --list-hosts         the hosts each play targets; contact no host
      --list-tasks         each play's tasks (after --tags/--skip-tags), with their tags
      --list-tags          the tags each play's tasks carry
      --syntax-check       check every input, as validate does
      --start-at-task NAME leave out every task before the first one so named (a glob matches too)
      --queue redis://[USER:PASS@]HOST:PORT/DB  send host work to workers (ansible.cfg: [portsync] queue)
      --queue-timeout S    wait for Redis and for a group's first worker (default 10)
      --group G            worker: serve hosts whose portsync_worker_group is G (default "default")
      --concurrency N      worker: jobs at once (default 10)
      --lock-seconds S     worker: a job's lock; a dead worker's job is taken again after it (default 30)
  -h, --help               this text
      --version            the version

Exit codes:
  0 success, or no changes     1 a host failed           2 check mode: changes pending (verify: drift)
  3 invalid input; nothing touched                        4 a host unreachable
  130 / 143 interrupted by SIGINT / SIGTERM (in-flight changes finish, the recap is printed)
`;
