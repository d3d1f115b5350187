// --report on a plan of offline roots: one self-contained page that Chromium opens without a
// request or a JavaScript error, with the grouped changes, both diff views, and no secret: a
// vault-encrypted value the diff carries is masked in the page as in the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inChromium } from '../../helpers/browser.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');
const OUT = join(REPO, 'test-output');
const SECRET = 'motd-s3cr3t-9d2f';

test(
  'plan --report: the page shows grouped changes with both diff views, masks vault values, runs clean offline',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'psd-report-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const hosts = ['leaf01', 'leaf02', 'leaf03', 'leaf04'];
    for (const h of hosts) mkdirSync(join(dir, h, 'etc'), { recursive: true });
    mkdirSync(join(dir, 'leaf03/etc/sysctl.d'));
    writeFileSync(join(dir, 'leaf03/etc/sysctl.d/50-portsyncd.conf'), 'net.core.somaxconn = 128 # hand edited\n');
    mkdirSync(join(dir, 'inv'));
    writeFileSync(
      join(dir, 'inv/hosts.yaml'),
      `all:\n  vars:\n    connection: chroot\n  children:\n    leaf:\n      hosts:\n${hosts.map((h) => `        ${h}: { chroot_dir: ${join(dir, h)} }`).join('\n')}\n`,
    );
    writeFileSync(join(dir, 'pw'), 'report-test-pass\n');
    writeFileSync(join(dir, 'secret.yaml'), `motd: ${SECRET}\n`);
    const enc = spawnSync('ansible-vault', ['encrypt', '--vault-password-file', join(dir, 'pw'), join(dir, 'secret.yaml')], {
      encoding: 'utf8',
    });
    assert.equal(enc.status, 0, enc.stderr);

    const report = join(dir, 'plan.html');
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'plan',
        join(REPO, 'test/integration/chroot/fixture/site.yaml'),
        '-i',
        join(dir, 'inv'),
        '-e',
        `@${join(dir, 'secret.yaml')}`,
        '--vault-password-file',
        join(dir, 'pw'),
        '--report',
        report,
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    assert.equal(r.status, 2, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, new RegExp(SECRET));
    const html = readFileSync(report, 'utf8');
    assert.ok(!html.includes(SECRET), 'the secret is in the report');
    assert.ok(!html.includes(SECRET.slice(0, 10)), 'part of the secret is in the report');
    assert.match(html, /\*{8}/, 'the masked value is shown as the marker');
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external script, stylesheet or image');

    mkdirSync(OUT, { recursive: true });
    const page = await inChromium(report, join(OUT, 'html-report-plan.png'), async (p) => {
      assert.equal(await p.textContent('#exit-code'), '2');
      assert.equal(await p.textContent('#host-count'), '4');
      const groups = await p.$$eval('#changes .group', (gs) =>
        gs.map((g) => [
          g.querySelector('.badge')!.textContent,
          g.querySelector('.hosts')!.textContent,
          !!g.querySelector('.outlier-badge'),
        ]),
      );
      assert.deepEqual(groups[0], ['changed', 'leaf01, leaf02, leaf04', false], JSON.stringify(groups));
      assert.deepEqual(
        groups[1],
        ['changed', 'leaf03', true],
        `leaf03's hand-edited sysctl file makes it the outlier: ${JSON.stringify(groups)}`,
      );
      assert.ok(await p.isVisible('#changes .diff-unified .d2h-file-wrapper'));
      assert.equal(await p.isVisible('#changes .diff-split .d2h-file-wrapper'), false);
      await p.click('.view-toggle button[data-view="split"]');
      assert.ok(await p.isVisible('#changes .diff-split .d2h-file-side-diff'));
      assert.equal(await p.isVisible('#changes .diff-unified .d2h-file-wrapper'), false);
      assert.match((await p.textContent('#changes')) ?? '', /hand edited/);
      assert.equal(await p.$$eval('#timeline svg .play', (ps) => ps.length), 1);
      assert.equal(await p.$$eval('#hosts tbody tr', (rs) => rs.length), 4);
    });
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.external, []);
  },
);
