// Secrets on the lab: a Redis password and a TCP Fast Open key, vault-encrypted by Debian's
// ansible-vault at test time, go into a template, a live sysctl, a unit drop-in and a failing
// command. Every output of the run (text, diff, --json, verbose, errors, recap) is searched for
// them and never holds them, while each reaches its target intact, in a file only root reads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { E2eLab } from '../lab-handle.js';
import { CLI, REPO, cli, on } from './cli-run.js';

const REDIS_PASSWORD = 'Rp-7c1e!9a%q"x\'y';
const FASTOPEN_KEY = '1a2b3c4d-5e6f7a8b-9c0d1e2f-3a4b5c6d';
const VAULT_PASSWORD = 'lab vault password';

const PLAYBOOK = `- hosts: all
  tasks:
    - name: Redis client config
      template:
        src: secret-test/redis-client.conf.hbs
        dest: /etc/portsyncd/redis-client.conf
    - name: TCP Fast Open key
      sysctl:
        file: /etc/sysctl.d/60-psd-secret-test.conf
        settings:
          net.ipv4.tcp_fastopen_key: "{{ fastopen_key }}"
    - name: Redis password for the unit
      systemd_unit:
        name: psd-secret-test.service
        dropin: redis-auth
        sections:
          Service:
            Environment: "REDIS_PASSWORD={{ redis_password }}"
    - name: Redis login that fails
      command:
        argv: [sh, -c, 'echo "AUTH $1 refused" >&2; exit 7', sh, "{{ redis_password }}"]
`;

/** A command whose output is not JSON events (inventory, render). */
function plain(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

export function secretsSuite(lab: E2eLab): void {
  describe('secrets: vault values never printed, intact on the switch', () => {
    let work: string;
    let inv: string;
    let site: string;
    let pwFile: string;

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'psd-secrets-e2e-'));
      inv = join(work, 'inv');
      cpSync(lab.info.inventory.dir, inv, { recursive: true });
      mkdirSync(join(inv, 'group_vars'), { recursive: true });
      pwFile = join(work, 'vault-pass');
      writeFileSync(pwFile, VAULT_PASSWORD + '\n');
      // Whole-file vault for the Redis password, inline !vault for the key.
      writeFileSync(join(inv, 'group_vars/all.yaml'), `redis_password: ${JSON.stringify(REDIS_PASSWORD)}\n`);
      const enc = spawnSync('ansible-vault', ['encrypt', '--vault-password-file', pwFile, join(inv, 'group_vars/all.yaml')], {
        encoding: 'utf8',
      });
      assert.equal(enc.status, 0, enc.stderr);
      const str = spawnSync('ansible-vault', ['encrypt_string', '--vault-password-file', pwFile, '--name', 'fastopen_key', FASTOPEN_KEY], {
        encoding: 'utf8',
      });
      assert.equal(str.status, 0, str.stderr);
      // group_vars/all.yaml and the files of group_vars/all/ all apply to "all".
      mkdirSync(join(inv, 'group_vars/all'), { recursive: true });
      writeFileSync(join(inv, 'group_vars/all/key.yaml'), str.stdout + '\n');
      const templates = join(work, 'templates');
      cpSync(join(REPO, 'templates'), templates, { recursive: true });
      mkdirSync(join(templates, 'secret-test'));
      writeFileSync(
        join(templates, 'secret-test/redis-client.conf.hbs'),
        '# {{managed_by}}\nhost 127.0.0.1\nrequirepass {{redis_password}}\n',
      );
      site = join(work, 'site.yaml');
      writeFileSync(site, PLAYBOOK);
      writeFileSync(join(inv, 'group_vars/all/templates.yaml'), `templates_dir: ${templates}\n`);
    });
    after(async () => {
      for (const sw of lab.info.switches) {
        await on(
          lab,
          sw.name,
          'rm -rf /etc/portsyncd/redis-client.conf /etc/sysctl.d/60-psd-secret-test.conf /etc/systemd/system/psd-secret-test.service.d && systemctl daemon-reload',
        );
      }
      rmSync(work, { recursive: true, force: true });
    });

    it(
      'check, apply (with a failing command), verify, inventory and render outputs never hold a secret',
      { timeout: 600_000 },
      async () => {
        const sw = lab.info.switches[0]!.name;
        const pw = ['--vault-password-file', pwFile];
        const planText = cli(['plan', site, '-i', inv, '--limit', sw, ...pw]);
        const planJson = cli(['plan', site, '-i', inv, '--limit', sw, ...pw, '--json']);
        const apply = cli([site, '-i', inv, '--limit', sw, '--diff', '-v', ...pw]);
        const applyJson = cli([site, '-i', inv, '--limit', sw, '--diff', '--json', ...pw]);
        const verify = cli(['verify', site, '-i', inv, '--limit', sw, ...pw]);
        const inventory = plain(['inventory', '-i', inv, '--host', sw, ...pw]);
        const render = plain(['render', '--host', sw, 'secret-test/redis-client.conf.hbs', '-i', inv, ...pw]);
        const badPw = cli([site, '-i', inv, '--limit', sw, '--vault-password-file', join(work, 'no-such-file')]);
        const runs = [planText, planJson, apply, applyJson, verify, inventory, render, badPw];
        assert.equal(planText.code, 2, planText.err + planText.out);
        assert.equal(apply.code, 1, apply.err + apply.out); // the command fails, the rest applies
        assert.equal(applyJson.code, 1);
        assert.equal(badPw.code, 3);
        // The secrets were really used: the diff and the failure carry the marker where they were.
        assert.match(planText.out, /^\s*\+requirepass \*{8}$/m);
        assert.match(planText.out, /^\s*\+Environment=REDIS_PASSWORD=\*{8}$/m);
        assert.match(planText.out, /net\.ipv4\.tcp_fastopen_key: .* -> \*{8}/);
        assert.match(apply.out, /AUTH \*{8} refused/);
        assert.ok(
          planJson.events.some((e) => e.event === 'result'),
          'JSON results',
        );
        assert.ok(
          applyJson.events.some((e) => e.event === 'result' && e.status === 'failed' && /AUTH \*{8} refused/.test(e.msg)),
          applyJson.out,
        );
        assert.match(inventory.out, /"redis_password": "\*{8}"/);
        assert.match(render.out, /requirepass \*{8}/);
        for (const [i, r] of runs.entries()) {
          for (const secret of [REDIS_PASSWORD, FASTOPEN_KEY, JSON.stringify(REDIS_PASSWORD).slice(1, -1), VAULT_PASSWORD]) {
            assert.ok(!(r.out + r.err).includes(secret), `run ${i} printed a secret:\n${r.out}\n${r.err}`);
          }
        }
        // Diffs keep their line count: 3 added lines for the 3-line template.
        assert.match(planText.out, /@@ -0,0 \+1,3 @@/);

        // On the switch: intact, 0600, and live for the sysctl.
        assert.equal(
          await on(lab, sw, 'cat /etc/portsyncd/redis-client.conf'),
          `# portsync-deploy\nhost 127.0.0.1\nrequirepass ${REDIS_PASSWORD}\n`,
        );
        assert.match(
          await on(lab, sw, 'cat /etc/systemd/system/psd-secret-test.service.d/redis-auth.conf'),
          new RegExp(`Environment=REDIS_PASSWORD=${REDIS_PASSWORD.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        );
        assert.match(
          await on(lab, sw, 'cat /etc/sysctl.d/60-psd-secret-test.conf'),
          new RegExp(`net.ipv4.tcp_fastopen_key = ${FASTOPEN_KEY}`),
        );
        assert.equal((await on(lab, sw, 'sysctl -n net.ipv4.tcp_fastopen_key')).trim(), FASTOPEN_KEY);
        const modes = await on(
          lab,
          sw,
          'stat -c "%a %n" /etc/portsyncd/redis-client.conf /etc/sysctl.d/60-psd-secret-test.conf /etc/systemd/system/psd-secret-test.service.d/redis-auth.conf',
        );
        assert.deepEqual(
          modes
            .trim()
            .split('\n')
            .map((l) => l.split(' ')[0]),
          ['600', '600', '600'],
          modes,
        );
      },
    );
  });
}
