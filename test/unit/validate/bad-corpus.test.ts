// The bad-input corpus: each case under test/fixtures/bad/<case>/ holds site.yaml, inventory/ and
// expect.json ({ file, line, message, requires?, args?, root? }). Each case runs the CLI as a user
// does, against an offline root per host (connection: chroot) holding a few files, and the case's
// own (`root`: what only a host's facts reveal, e.g. its CPUs): it must exit 3 with a
// message naming file:line, without Node's raw errno text, and leave every root exactly as it
// was. Cases that need a module run when the built module is present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { loadModuleRegistry } from '../../../src/modules-registry.js';
import { fixture, repoRoot } from '../inventory/fixture-path.js';

interface Expect {
  file: string;
  line: number;
  message: string;
  requires?: string[];
  /** More CLI arguments, e.g. a subcommand's. */
  args?: string[];
  /** Files every root holds too, by path inside the root, e.g. sys/devices/system/cpu/online. */
  root?: Record<string, string>;
}

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

/** Every file and folder under `root` with its mode and content. */
function snapshot(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = join(rel, e.name);
    const mode = (statSync(join(root, p)).mode & 0o7777).toString(8);
    if (e.isDirectory()) Object.assign(out, { [p + '/']: mode }, snapshot(root, p));
    else out[p] = `${mode} ${readFileSync(join(root, p), 'utf8')}`;
  }
  return out;
}

/** A root per inventory host, each with files a run could touch; none when the inventory is the bad input. */
function makeRoots(base: string, inventory: string, files: Record<string, string> = {}): void {
  let hosts: string[] = [];
  try {
    hosts = [...loadInventory(inventory).hosts.keys()];
  } catch {
    // The inventory itself is the bad input: no host to make a root for.
  }
  for (const h of hosts) {
    mkdirSync(join(base, h, 'etc/sysctl.d'), { recursive: true });
    writeFileSync(join(base, h, 'etc/hostname'), `${h}\n`);
    writeFileSync(join(base, h, 'etc/sysctl.d/50-portsyncd.conf'), 'net.core.somaxconn = 1024\n');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(base, h, path)), { recursive: true });
      writeFileSync(join(base, h, path), content);
    }
  }
}

const registry = await loadModuleRegistry(join(repoRoot, 'dist', 'modules'));
const bad = fixture('bad');

for (const name of readdirSync(bad).sort()) {
  const dir = join(bad, name);
  const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expect;
  const missing = (expect.requires ?? []).filter((m) => !registry.get(m));
  test(`bad input: ${name}`, { skip: missing.length ? `module ${missing.join(', ')} is not built` : false }, (t) => {
    const roots = mkdtempSync(join(tmpdir(), `psd-bad-${name}-`));
    t.after(() => rmSync(roots, { recursive: true, force: true }));
    makeRoots(roots, join(dir, 'inventory'), expect.root);
    const before = snapshot(roots);
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        join(dir, 'site.yaml'),
        '-i',
        join(dir, 'inventory'),
        '-e',
        'connection=chroot',
        '-e',
        `chroot_dir=${roots}/{{inventory_hostname}}`,
        ...(expect.args ?? []),
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
    );
    assert.equal(r.status, 3, `exit 3 (invalid input):\n${r.stdout}${r.stderr}`);
    const file = join(dir, expect.file);
    assert.ok(r.stderr.includes(`${file}:${expect.line}:`), `message should name ${expect.file}:${expect.line}:\n${r.stderr}`);
    assert.ok(r.stderr.includes(expect.message), `message should say "${expect.message}":\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(
      r.stderr,
      /\bE(NOENT|ACCES|PERM|NOTDIR|ISDIR|LOOP)\b|no such file or directory, open/,
      "no raw errno text (Node's ENOENT: …, open '…')",
    );
    assert.deepEqual(snapshot(roots), before, 'no file on any root changed');
  });
}
