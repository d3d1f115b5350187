// Acceptance of Ansible content on the lab: bench/ansible/fleet.yaml (ansible.posix.sysctl in a
// loop, .j2 templates from facts, copy, systemd_service, handlers, when) run unchanged by
// Debian's ansible-playbook and by portsync-deploy, each on fresh switches. Both must leave the
// same files (bytes, mode, owner), live sysctl values, IRQ pins and unit state (on disk and as
// systemd has loaded it); portsync-deploy reloads systemd once (Ansible's enable reloads, then
// its handler); its second run changes nothing in one round trip per host; --check --diff shows
// the live sysctl before -> after and changes nothing. Leaves the switches as fresh as it found them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLEET_FOOTPRINT, readPristine, resetSwitches, type Pristine } from '../../../bench/fleet/reset.js';
import type { E2eLab } from '../lab-handle.js';
import { cli, on, recapOf, REPO } from './cli-run.js';

const PLAYBOOK = join(REPO, 'bench/ansible/fleet.yaml');
const haveAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;

/** Everything the playbook can leave on a switch, as one comparable text. */
function stateScript(): string {
  const files = FLEET_FOOTPRINT.files.map((f) => `'${f}'`).join(' ');
  const keys = FLEET_FOOTPRINT.sysctlKeys.join(' ');
  return `for f in ${files}; do
  if [ -e "$f" ]; then printf '%s %s\\n' "$f" "$(stat -c '%a %U:%G' "$f")"; sha256sum < "$f"; else echo "$f absent"; fi
done
stat -c 'drop-in folder %a %U:%G' /etc/systemd/system/portsyncd.service.d 2>/dev/null || echo 'drop-in folder absent'
sysctl ${keys}
echo "unit $(systemctl is-enabled portsyncd-tuning-irq.service 2>/dev/null)"
echo "systemd sees $(systemctl show -p UnitFileState --value portsyncd-tuning-irq.service), wanted by multi-user.target: $(systemctl show -p Wants --value multi-user.target | tr ' ' '\\n' | grep -cx portsyncd-tuning-irq.service)"
for n in /sys/class/net/Ethernet*; do
  for irq in $(awk -v nic="\${n##*/}" '$NF ~ nic { sub(":", "", $1); print $1 }' /proc/interrupts); do echo "irq $irq $(cat /proc/irq/$irq/smp_affinity_list)"; done
done`;
}

export function ansibleSuite(lab: E2eLab): void {
  describe(
    'Ansible content on the lab: bench/ansible/fleet.yaml under ansible-playbook and portsync-deploy',
    { skip: !haveAnsible && 'ansible-playbook is not installed' },
    () => {
      let names: string[];
      let pristine: Pristine;
      let work: string;
      const reset = () => resetSwitches(lab.name, names, FLEET_FOOTPRINT, pristine);
      const state = async () =>
        Object.fromEntries(await Promise.all(names.map(async (n) => [n, await on(lab, n, stateScript())] as const)));
      // PID 1 logs "Reloading." for each daemon-reload, and for each `systemctl enable` that does not say --no-reload.
      const reloads = async () =>
        Object.fromEntries(
          await Promise.all(
            names.map(
              async (n) =>
                [
                  n,
                  Number(await on(lab, n, `journalctl --sync; journalctl _PID=1 -o cat --no-pager | grep -cx 'Reloading.' || true`)),
                ] as const,
            ),
          ),
        );

      before(async () => {
        names = lab.info.switches.map((s) => s.name);
        pristine = await readPristine(lab.name, names[0]!, [FLEET_FOOTPRINT]);
        work = mkdtempSync(join(tmpdir(), 'psd-ansible-e2e-'));
        await reset();
      });
      after(async () => {
        await reset();
        for (const socket of readdirSync(work))
          spawnSync('ssh', ['-o', `ControlPath=${join(work, socket)}`, '-O', 'exit', 'x'], { stdio: 'ignore' });
        rmSync(work, { recursive: true, force: true });
      });

      it(
        'both tools leave the same files, live values and unit state; portsync-deploy applies in 2 round trips and a second run changes nothing in 1; check shows live diffs',
        { timeout: 600_000 },
        async () => {
          const fresh = await state();
          const ansible = spawnSync('ansible-playbook', ['-i', lab.info.inventory.hostsFile, '--forks', String(names.length), PLAYBOOK], {
            cwd: REPO,
            encoding: 'utf8',
            timeout: 400_000,
            env: {
              ...process.env,
              ANSIBLE_CONFIG: join(REPO, 'bench/ansible/ansible.cfg'),
              ANSIBLE_SSH_CONTROL_PATH_DIR: work,
              ANSIBLE_NOCOLOR: '1',
            },
          });
          assert.equal(ansible.status, 0, ansible.stdout + ansible.stderr);
          const byAnsible = await state();
          assert.notDeepEqual(byAnsible, fresh, 'Ansible changed the switches');

          await reset();
          assert.deepEqual(await state(), fresh, 'the reset gives fresh switches');
          const check = cli([PLAYBOOK, '-i', lab.info.inventory.dir, '--check', '--diff']);
          assert.equal(check.code, 2, check.out + check.err);
          assert.match(check.out, /net\.core\.somaxconn/);
          assert.match(check.out, /live: \d+ -> 8192|\d+ -> 8192/, 'the live value before -> after');
          assert.deepEqual(await state(), fresh, 'check mode changed nothing');

          const reloadsBefore = await reloads();
          const apply = cli([PLAYBOOK, '-i', lab.info.inventory.dir, '--json']);
          assert.equal(apply.code, 0, apply.out + apply.err);
          // The enable owes its reload to the daemon-reload handler after it: one reload, not two.
          const reloadsAfter = await reloads();
          for (const n of names) assert.equal(reloadsAfter[n]! - reloadsBefore[n]!, 1, `${n}: systemd reloads once in the cold apply`);
          assert.deepEqual(await state(), byAnsible, 'the same files, modes, owners, live values and unit state as Ansible left');
          // The gather, then the guarded apply with its verify gather: free memory moving in between does not split it.
          for (const [host, r] of Object.entries(recapOf(apply))) assert.equal(r.round_trips, 2, host);

          const again = cli([PLAYBOOK, '-i', lab.info.inventory.dir, '--json']);
          assert.equal(again.code, 0, again.out + again.err);
          for (const [host, r] of Object.entries(recapOf(again))) assert.deepEqual([r.changed, r.failed, r.round_trips], [0, 0, 1], host);
          console.log(`# Ansible ${ansible.status}; portsync-deploy apply ${apply.secs.toFixed(1)} s, re-run ${again.secs.toFixed(1)} s`);
        },
      );
    },
  );
}
