// The fleet executor and SSH transport against the lab: strict host keys, unreachable switches,
// a connection cut mid-upload, rolling batches and failure thresholds, the site playbook's
// check/apply/re-apply, become, an interrupted apply, round trips and live progress on a TTY.
// Every test leaves the lab with its 3 switches healthy and /etc/psd-fleet removed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labStatus, labUp, switchExec } from '../../../lab/lab.js';
import type { E2eLab } from '../lab-handle.js';
import {
  batchesOf,
  cli,
  CLI,
  existsOn,
  on,
  recapOf,
  REPO,
  resultsOf,
  throttled,
  uploadUnderway,
  waitFor,
  watchCli,
  writeBigFile,
  type CliRun,
} from './cli-run.js';

const DIR = '/etc/psd-fleet';
/** The daemon's health gate on the lab: its 2 cores are shared with the test run, so latency is
 *  checked for shape, not speed (as in the deploy suite). */
const LAB_HEALTH = JSON.stringify({ portsyncd_health_self_test_port: 'Ethernet0', portsyncd_health_max_p99_us: 2_000_000 });
const BIG_MB = 256;

/** A play writing DIR/<name>.conf with the host's name, plus any extra YAML for the play. */
function markerPlay(name: string, extra = '', moreTasks = ''): string {
  return `- name: ${name}
  hosts: all
${extra}  tasks:
    - name: marker
      copy: {dest: ${DIR}/${name}.conf, content: "{{ inventory_hostname }}\\n"}
${moreTasks}`;
}

const FAIL_ON_LEAF1 = `    - name: fails on leaf1
      command: {cmd: 'test "{{ inventory_hostname }}" != leaf1'}
`;

export function fleetSuite(lab: E2eLab): void {
  describe('fleet executor and SSH transport on the lab', () => {
    let work: string;
    let inv: string;
    let names: string[];
    const pb = (file: string, text: string) => {
      const path = join(work, file);
      writeFileSync(path, text);
      return path;
    };
    const run = (playbook: string, ...more: string[]) => cli([playbook, '-i', inv, '--json', ...more]);
    const markersOn = async (name: string) => {
      const out: string[] = [];
      for (const sw of names) if (await existsOn(lab, sw, `${DIR}/${name}.conf`)) out.push(sw);
      return out;
    };
    let big: string;
    const leftovers = async (sw: string) =>
      (await on(lab, sw, `ls -A ${DIR} 2>/dev/null || true`)).split('\n').filter((f) => f.includes('.psd-'));

    before(() => {
      inv = lab.info.inventory.dir;
      names = lab.info.switches.map((s) => s.name);
      work = mkdtempSync(join(tmpdir(), 'psd-fleet-e2e-'));
      // Binary content goes through the streamed upload, not an inline write.
      big = join(work, 'big.bin');
      writeBigFile(big, 'psd-fleet big file\n\0', BIG_MB);
    });
    after(async () => {
      rmSync(work, { recursive: true, force: true });
      for (const sw of names) await switchExec(lab.name, sw, ['rm', '-rf', DIR]);
    });

    it(
      'a tampered known_hosts entry is refused by the transport; nothing reaches that switch, the others converge',
      { timeout: 120_000 },
      async () => {
        const victim = 'leaf1';
        const key = join(work, 'impostor');
        assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]).status, 0);
        const impostor = readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
        const tampered = readFileSync(lab.info.inventory.knownHostsFile, 'utf8')
          .split('\n')
          .map((l) => (l.split(' ')[0]!.split(',').includes(victim) ? `${l.split(' ')[0]} ${impostor}` : l))
          .join('\n');
        assert.notEqual(tampered, readFileSync(lab.info.inventory.knownHostsFile, 'utf8'));
        const knownHosts = join(work, 'known_hosts');
        writeFileSync(knownHosts, tampered);

        const r = run(pb('hostkey.yaml', markerPlay('hostkey')), '-e', `known_hosts_file=${knownHosts}`);
        assert.equal(r.code, 4, r.out + r.err);
        const recap = recapOf(r);
        assert.equal(recap[victim]!.unreachable, 1);
        const [refused] = resultsOf(r, victim);
        // The transport's own wording (OpenSSH would say "REMOTE HOST IDENTIFICATION HAS CHANGED").
        assert.match(refused!.msg, /host key/i);
        assert.match(refused!.msg, new RegExp(knownHosts.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.deepEqual((await markersOn('hostkey')).sort(), names.filter((n) => n !== victim).sort());
        for (const sw of names.filter((n) => n !== victim)) assert.equal(recap[sw]!.changed, 1, sw);
        console.log(`# refused: ${refused!.msg}`);
      },
    );

    it('a switch stopped before the run is unreachable (exit 4), and the rest converge', { timeout: 180_000 }, async () => {
      const victim = 'leaf2';
      await switchExec(lab.name, victim, ['systemctl', 'poweroff']).catch(() => undefined);
      try {
        await waitFor(
          `${victim} to stop`,
          async () => {
            const h = (await labStatus(lab.name)).find((s) => s.name === victim);
            return h?.container === 'stopped' ? true : undefined;
          },
          60_000,
          200,
        );
        const r = run(pb('stopped.yaml', markerPlay('stopped')), '-e', 'connect_timeout=3', '-e', 'connect_retries=1');
        assert.equal(r.code, 4, r.out + r.err);
        const recap = recapOf(r);
        assert.deepEqual(recap[victim], { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 1, round_trips: 0 });
        for (const sw of names.filter((n) => n !== victim))
          assert.deepEqual([recap[sw]!.changed, recap[sw]!.failed, recap[sw]!.unreachable], [1, 0, 0], sw);
        console.log(`# with ${victim} stopped: ${r.secs.toFixed(1)} s; ${resultsOf(r, victim)[0]!.msg}`);
      } finally {
        await labUp({ name: lab.name, switches: names.length, waitFor: 'healthy' });
      }
      assert.deepEqual(
        await markersOn('stopped'),
        names.filter((n) => n !== victim),
      );
    });

    it(
      'a connection cut mid-upload leaves the old file whole; the re-run converges and leaves no temp files',
      { timeout: 300_000 },
      async () => {
        const victim = 'spine1';
        const playbook = pb(
          'big.yaml',
          `- name: big
  hosts: ${victim}
  tasks:
    - name: big file
      copy: {src: ${big}, dest: ${DIR}/big.bin, mode: "0644"}
`,
        );
        await on(lab, victim, `mkdir -p ${DIR} && printf 'old\\n' > ${DIR}/big.bin`);
        const bridge = lab.info.switches[0]!.address.replace(/\.\d+$/, '.1');
        let killed = '';
        const r = await throttled(lab, victim, () =>
          watchCli([playbook, '-i', inv, '--json'], (e) => {
            if (e.event !== 'batch_start' || killed) return;
            killed = 'pending';
            void (async () => {
              // Mid-transfer: the staged copy exists and is still short of the whole file.
              await uploadUnderway(lab, victim, DIR, 'big.bin', BIG_MB);
              // Our connection's sshd session, by the PIDs the switch's socket table gives for it.
              const ss = await on(lab, victim, `ss -Htnp state established '( sport = :22 )' dst ${bridge}`);
              const pids = [...ss.matchAll(/pid=(\d+)/g)].map((m) => m[1]!);
              assert.ok(pids.length > 0, `no sshd session from ${bridge}: ${ss}`);
              // Noted before the kill: the run may see the cut and exit before the kill command returns.
              killed = pids.join(',');
              await on(lab, victim, `kill -KILL ${[...new Set(pids)].join(' ')}`);
            })();
          }),
        );
        assert.match(killed, /^\d/, `the connection was not cut (${killed})\n${r.out}${r.err}`);
        assert.equal(r.code, 4, r.out + r.err);
        assert.equal(recapOf(r)[victim]!.unreachable, 1);
        assert.equal(await on(lab, victim, `cat ${DIR}/big.bin`), 'old\n');
        for (const f of await leftovers(victim)) assert.match(f, /^\.+big\.bin\.psd-[0-9a-f]+-\d+-\d+\.up(\.psd-tmp-[0-9a-f]+)?$/);
        console.log(`# cut after killing sshd ${killed}; left behind: ${(await leftovers(victim)).join(' ') || 'nothing'}`);

        const again = run(playbook);
        assert.equal(again.code, 0, again.out + again.err);
        const want = createHash('sha256').update(readFileSync(big)).digest('hex');
        assert.equal((await on(lab, victim, `sha256sum ${DIR}/big.bin`)).split(' ')[0], want);
        assert.deepEqual(await leftovers(victim), []);
        await on(lab, victim, `rm -f ${DIR}/big.bin`);
      },
    );

    it('serial [1, "50%"]: the batches and their order show in the --json events', { timeout: 120_000 }, async () => {
      const r = run(pb('serial.yaml', markerPlay('serial', '  serial: [1, "50%"]\n')));
      assert.equal(r.code, 0, r.out + r.err);
      // 50% of 3 hosts is 1 (floored, at least 1), and the last entry repeats.
      assert.deepEqual(
        batchesOf(r),
        names.map((n) => [n]),
      );
      const order = r.events.flatMap((e) => (e.event === 'batch_start' ? [`batch ${e.batch}`] : e.event === 'result' ? [e.host] : []));
      assert.deepEqual(
        order,
        names.flatMap((n, i) => [`batch ${i + 1}`, n]),
      );
    });

    it('max_fail_percentage halts after the batch that exceeds it; later hosts are untouched', { timeout: 120_000 }, async () => {
      const halting = run(pb('maxfail.yaml', markerPlay('maxfail', '  serial: 1\n  max_fail_percentage: 0\n', FAIL_ON_LEAF1)));
      assert.equal(halting.code, 1, halting.out + halting.err);
      assert.deepEqual(batchesOf(halting), [['spine1'], ['leaf1']]);
      assert.match(halting.events.find((e) => e.event === 'halt')!.reason, /halted after batch 2: 1 of 1 hosts failed/);
      assert.deepEqual(resultsOf(halting, 'leaf2'), []);
      assert.deepEqual(await markersOn('maxfail'), ['spine1', 'leaf1']);

      // 1 of 2 failed is 50%, which does not exceed 50: the next batch runs.
      const tolerated = run(
        pb('maxfail-ok.yaml', markerPlay('maxfail-ok', '  serial: [2, 1]\n  max_fail_percentage: 50\n', FAIL_ON_LEAF1)),
      );
      assert.equal(tolerated.code, 1, tolerated.out + tolerated.err);
      assert.deepEqual(batchesOf(tolerated), [['spine1', 'leaf1'], ['leaf2']]);
      assert.equal(
        tolerated.events.some((e) => e.event === 'halt'),
        false,
      );
      assert.deepEqual(await markersOn('maxfail-ok'), names);
    });

    it(
      'site playbook on 3 switches: check exits 2, apply, re-apply changes nothing in at most 2 round trips per host',
      { timeout: 300_000 },
      async () => {
        const site = join(REPO, 'playbooks/site.yaml');
        if (readFileSync(site, 'utf8').includes('daemon') && !existsSync(join(REPO, 'build/portsyncd/LATEST'))) {
          const b = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: REPO, encoding: 'utf8' });
          assert.equal(b.status, 0, `npm run bundle: ${b.stderr}`);
        }
        // Every switch gets something to change, whatever earlier suites applied.
        for (const sw of names) await on(lab, sw, 'rm -f /etc/sysctl.d/50-portsyncd.conf');
        const args = [site, '-i', inv, '-e', LAB_HEALTH, '--json'];
        const check = cli([...args, '--check', '--diff']);
        assert.equal(check.code, 2, check.out + check.err);
        for (const sw of names) assert.equal(await existsOn(lab, sw, '/etc/sysctl.d/50-portsyncd.conf'), false, `check wrote to ${sw}`);
        const apply = cli(args);
        assert.equal(apply.code, 0, apply.out + apply.err);
        for (const [h, rc] of Object.entries(recapOf(apply))) assert.ok(rc.changed > 0 && rc.failed === 0, `${h}: ${JSON.stringify(rc)}`);
        assert.equal((await on(lab, 'leaf1', 'sysctl -n net.core.somaxconn')).trim(), '4096');
        for (const sw of names) assert.match(await on(lab, sw, 'systemctl is-active portsyncd.service || true'), /^active/m);
        const again = cli(args);
        assert.equal(again.code, 0, again.out + again.err);
        for (const [h, rc] of Object.entries(recapOf(again))) {
          assert.equal(rc.changed, 0, h);
          assert.ok(rc.round_trips! >= 1 && rc.round_trips! <= 2, `${h}: ${rc.round_trips} round trips`);
        }
        const trips = (r: CliRun) =>
          Object.values(recapOf(r))
            .map((rc) => rc.round_trips)
            .join('/');
        console.log(
          `# site on ${names.length} switches: check ${check.secs.toFixed(2)} s (${trips(check)} round trips), apply ${apply.secs.toFixed(2)} s (${trips(apply)}), re-apply ${again.secs.toFixed(2)} s (${trips(again)})`,
        );
        // -v prints the same counts for humans (per host with --per-host).
        const verbose = spawnSync(process.execPath, [CLI, site, '-i', inv, '-e', LAB_HEALTH, '-v', '--per-host'], {
          cwd: REPO,
          encoding: 'utf8',
        });
        assert.equal(verbose.status, 0, verbose.stdout + verbose.stderr);
        for (const sw of names) assert.match(verbose.stdout, new RegExp(`\\[${sw}\\] [12] round trips?, 0 bytes uploaded`));
      },
    );

    it('become: logged in as the non-root lab user, files are written as root', { timeout: 120_000 }, async () => {
      const blob = join(work, 'blob.bin');
      writeFileSync(blob, Buffer.concat([Buffer.from('blob\0'), Buffer.alloc(64 * 1024, 7)]));
      const playbook = pb(
        'become.yaml',
        markerPlay(
          'become',
          '',
          `    - name: root-only file
      copy: {dest: ${DIR}/secret.conf, content: "secret\\n", mode: "0600", owner: root}
    - name: streamed file
      copy: {src: ${blob}, dest: ${DIR}/blob.bin}
`,
        ),
      );
      const asLab = ['-e', 'ansible_user=lab'];
      const denied = run(playbook, ...asLab, '--limit', 'spine1');
      assert.equal(denied.code, 1, 'without become the lab user cannot write /etc');
      assert.match(resultsOf(denied, 'spine1').find((e) => e.status === 'failed')!.msg, /denied|not permitted/i);

      const r = run(playbook, ...asLab, '-e', 'ansible_become=true');
      assert.equal(r.code, 0, r.out + r.err);
      for (const sw of names) {
        assert.equal(
          await on(lab, sw, `stat -c '%U %a' ${DIR}/secret.conf ${DIR}/blob.bin ${DIR}/become.conf`),
          'root 600\nroot 644\nroot 644\n',
        );
        assert.equal(
          (await on(lab, sw, `sha256sum ${DIR}/blob.bin`)).split(' ')[0],
          createHash('sha256').update(readFileSync(blob)).digest('hex'),
        );
      }
      const again = run(playbook, ...asLab, '-e', 'ansible_become=true');
      assert.equal(again.code, 0, again.out + again.err);
      for (const rc of Object.values(recapOf(again))) assert.equal(rc.changed, 0);
    });

    it(
      'SIGTERM during an apply: no new batch starts, the write in flight finishes whole, recap, exit 143',
      { timeout: 300_000 },
      async () => {
        const playbook = pb(
          'interrupt.yaml',
          markerPlay(
            'interrupt',
            '  serial: 1\n',
            `    - name: big file
      copy: {src: ${big}, dest: ${DIR}/interrupt.bin}
`,
          ),
        );
        let signalled = false;
        const r = await throttled(lab, names[0]!, () =>
          watchCli([playbook, '-i', inv, '--json'], (e, child) => {
            if (e.event !== 'batch_start' || signalled) return;
            signalled = true;
            void waitFor(
              'the upload to start',
              async () => {
                const out = await on(lab, names[0]!, `ls -A ${DIR} 2>/dev/null | grep -c 'interrupt.bin.psd-' || true`);
                return Number(out.trim()) > 0 ? true : undefined;
              },
              60_000,
              20,
            ).then(() => child.kill('SIGTERM'));
          }),
        );
        assert.equal(r.code, 143, r.out + r.err);
        assert.deepEqual(batchesOf(r), [[names[0]]]);
        assert.ok(r.events.some((e) => e.event === 'interrupted' && e.signal === 'SIGTERM'));
        assert.equal(r.events.at(-1)!.event, 'recap');
        // The first switch's upload and script ran to their end; no other switch was touched.
        const want = createHash('sha256').update(readFileSync(big)).digest('hex');
        assert.equal((await on(lab, names[0]!, `sha256sum ${DIR}/interrupt.bin`)).split(' ')[0], want);
        assert.deepEqual(await leftovers(names[0]!), []);
        assert.deepEqual(await markersOn('interrupt'), [names[0]]);
        await on(lab, names[0]!, `rm -f ${DIR}/interrupt.bin`);
      },
    );

    it('on a terminal, a live progress line per batch shows done/total, changed, failed, unreachable', { timeout: 120_000 }, async () => {
      const playbook = pb('tty.yaml', markerPlay('tty', '  serial: [1, 2]\n'));
      const cmd = [process.execPath, CLI, playbook, '-i', inv].map((a) => `'${a}'`).join(' ');
      const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const screen = r.stdout;
      assert.match(screen, /batch 1: 0\/1 done|batch 1: 1\/1 done, 1 changed, 0 failed, 0 unreachable/);
      assert.match(screen, /batch 2: 2\/2 done, 2 changed, 0 failed, 0 unreachable/);
      // Redrawn in place: the line is cleared before the next output.
      assert.match(screen, /unreachable\r\x1b\[K/);
      assert.match(screen, /PLAY RECAP/);
    });
  });
}
