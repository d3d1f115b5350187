// Tuning on the lab: the site playbook with the latency profile, `verify` clean, one knob changed
// by hand is reported as exactly that drift on that switch, a re-apply fixes it, a rebooted switch
// gets its IRQ pins, RPS masks and THP back from its boot units, and the host's own knobs are
// never touched. Leaves the lab tuned for latency, with portsyncd healthy on every switch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labReboot } from '../../../lab/lab.js';
import type { E2eLab } from '../lab-handle.js';
import { REPO, cli, on, type CliRun } from './cli-run.js';

const SITE = join(REPO, 'playbooks/site.yaml');
const LATENCY = ['-e', 'tuning_profile=latency'];

/** The host's own knobs a tuning run must never reach (the lab emulates them per switch). */
function hostKnobs(): Record<string, string> {
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : '(absent)');
  const out: Record<string, string> = {};
  for (const p of [
    '/proc/sys/vm/swappiness',
    '/proc/sys/vm/overcommit_memory',
    '/proc/sys/net/core/rmem_max',
    '/sys/kernel/mm/transparent_hugepage/enabled',
    '/sys/kernel/mm/transparent_hugepage/defrag',
  ])
    out[p] = read(p);
  for (const irq of readdirSync('/proc/irq').filter((d) => /^\d+$/.test(d))) {
    const p = `/proc/irq/${irq}/smp_affinity_list`;
    if (existsSync(p)) out[p] = read(p);
  }
  return out;
}

/** Failing settings of a verify --json run, as [host, task, setting, desired, live]. */
function drift(r: CliRun): string[][] {
  return r.events
    .filter((e) => e.event === 'verify' && !e.ok)
    .flatMap((e) =>
      (e.settings as { setting: string; desired: string; live?: string | null; ok: boolean }[])
        .filter((s) => !s.ok)
        .map((s) => [e.host, e.task, s.setting, s.desired, String(s.live)]),
    );
}

/** The IRQs of a switch's Ethernet ports, from its (emulated) /proc/interrupts: [irq, port]. */
async function portIrqs(lab: E2eLab, sw: string): Promise<[string, string][]> {
  const text = await on(lab, sw, 'cat /proc/interrupts');
  return text.split('\n').flatMap((l) => {
    const port = /\b(Ethernet\d+)-/.exec(l)?.[1];
    return port ? [[l.trim().split(':')[0]!, port] as [string, string]] : [];
  });
}

export function tuningSuite(lab: E2eLab): void {
  describe('tuning: latency profile, verify, drift, re-apply, reboot', () => {
    let inv: string;
    let hostBefore: Record<string, string>;
    const run = (...more: string[]) => cli([SITE, '-i', inv, ...LATENCY, '--json', ...more]);
    const verify = () => cli(['verify', SITE, '-i', inv, ...LATENCY, '--json']);

    before(
      () => {
        inv = lab.info.inventory.dir;
        hostBefore = hostKnobs();
        if (!existsSync(join(REPO, 'build/portsyncd/LATEST'))) {
          const b = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: REPO, encoding: 'utf8' });
          assert.equal(b.status, 0, `npm run bundle: ${b.stderr}`);
        }
      },
      { timeout: 300_000 },
    );

    after(() => {
      assert.deepEqual(hostKnobs(), hostBefore, "the host's own knobs changed");
    });

    it('site.yaml with the latency profile applies, and verify is clean on every switch', { timeout: 600_000 }, async () => {
      const r = run();
      assert.equal(r.code, 0, r.err + r.out);
      const recap = r.events.filter((e) => e.event === 'recap').at(-1)!.hosts as Record<string, { failed: number }>;
      assert.deepEqual(Object.keys(recap).sort(), lab.info.switches.map((s) => s.name).sort());
      const again = run();
      assert.equal(again.code, 0, again.err + again.out);
      for (const [h, rc] of Object.entries(
        again.events.filter((e) => e.event === 'recap').at(-1)!.hosts as Record<string, { changed: number }>,
      )) {
        assert.equal(rc.changed, 0, `${h} changed on the re-run`);
      }
      console.log(`# site.yaml latency: apply ${r.secs.toFixed(1)} s, re-run ${again.secs.toFixed(1)} s`);

      const v = verify();
      assert.equal(v.code, 0, v.err + drift(v).join('\n'));
      const tasks = new Set(v.events.filter((e) => e.event === 'verify').map((e) => e.task));
      for (const t of [
        'portsyncd kernel parameters',
        'Transparent huge pages',
        'Pin port IRQs',
        'Receive packet steering',
        'portsyncd real-time scheduling',
      ]) {
        assert.ok(tasks.has(t), `verify covers ${t}`);
      }
      // The daemon runs with what its drop-ins ask for, read from its process.
      const rt = v.events.find((e) => e.event === 'verify' && e.task === 'portsyncd real-time scheduling')!;
      assert.deepEqual(
        rt.settings.map((s: { setting: string; live: string }) => [s.setting, s.live]),
        [
          ['portsyncd.service CPUSchedulingPolicy', 'rr'],
          ['portsyncd.service CPUSchedulingPriority', '10'],
        ],
      );
    });

    it(
      'one IRQ re-pinned by hand is the only drift verify reports, on that switch; a re-apply fixes it',
      { timeout: 300_000 },
      async () => {
        const sw = 'leaf1';
        const [irq, port] = (await portIrqs(lab, sw))[0]!;
        assert.equal((await on(lab, sw, `cat /proc/irq/${irq}/smp_affinity_list`)).trim(), '1');
        await on(lab, sw, `echo 0 > /proc/irq/${irq}/smp_affinity_list`);

        const v = verify();
        assert.equal(v.code, 2, v.err + v.out);
        assert.deepEqual(drift(v), [[sw, 'Pin port IRQs', `/proc/irq/${irq}/smp_affinity_list (${port})`, '1', '0']]);
        const text = cli(['verify', SITE, '-i', inv, ...LATENCY]);
        assert.equal(text.code, 2);
        assert.match(
          text.out,
          new RegExp(
            `drift: \\[${sw}\\] Pin port IRQs\\n(.*\\n)*?\\s+! /proc/irq/${irq}/smp_affinity_list \\(${port}\\): desired=1 live=0 persisted=`,
          ),
        );
        console.log(
          `# verify after a hand edit:\n${text.out
            .split('\n')
            .filter((l) => /drift|!/.test(l))
            .join('\n')}`,
        );

        const fix = run();
        assert.equal(fix.code, 0, fix.err + fix.out);
        const changed = fix.events.filter((e) => e.event === 'result' && e.status === 'changed' && !e.handler).map((e) => [e.host, e.task]);
        assert.deepEqual(changed, [[sw, 'Pin port IRQs']]);
        assert.equal(verify().code, 0);
      },
    );

    it('a rebooted switch gets its IRQ pins, RPS masks and THP back from its boot units', { timeout: 300_000 }, async () => {
      const sw = 'leaf2';
      await labReboot(lab.name, sw, 120_000);
      const irqs = await portIrqs(lab, sw);
      assert.ok(irqs.length > 0);
      const pins = await on(lab, sw, irqs.map(([n]) => `cat /proc/irq/${n}/smp_affinity_list`).join('; '));
      assert.deepEqual([...new Set(pins.trim().split('\n'))], ['1'], 'every port IRQ pinned to CPU 1');
      const rps = await on(lab, sw, 'cat /sys/class/net/Ethernet*/queues/rx-*/rps_cpus');
      assert.deepEqual(
        [
          ...new Set(
            rps
              .trim()
              .split('\n')
              .map((m) => m.replace(/^0+(?=.)/, '')),
          ),
        ],
        ['2'],
        'RPS mask of CPU 1 on every rx queue',
      );
      // THP is written by its early boot unit with `>`, so the emulated files hold exactly the value.
      const thp = await on(lab, sw, 'cat /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag');
      assert.equal(thp, 'never\nnever\n', 'the boot unit restored THP never');
      assert.equal(
        await on(lab, sw, 'systemctl show -p ActiveState -p Result --value portsyncd-tuning-thp.service | sort'),
        'active\nsuccess\n',
      );
      assert.match(await on(lab, sw, 'systemctl show -p ActiveState portsyncd.service'), /ActiveState=active/);
      // The I/O scheduler's udev rule needs udevd, which a container switch does not run: the only
      // drift a rebooted lab switch may show.
      const v = verify();
      assert.deepEqual(
        drift(v).filter((d) => d[1] !== 'I/O scheduler'),
        [],
        'IRQ, RPS, THP and the daemon as applied',
      );
      const fixed = run();
      assert.equal(fixed.code, 0, fixed.err + fixed.out);
      const clean = verify();
      assert.equal(clean.code, 0, drift(clean).join('\n'));
    });
  });
}
