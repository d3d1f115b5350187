import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, parseConfig } from '../../../daemon/src/config.js';
import { repoRoot } from '../helpers/env.js';

test('the example YAML config loads with its documented defaults', async () => {
  const c = await loadConfig(join(repoRoot(), 'daemon/portsyncd.example.yaml'));
  assert.equal(c.netlink.rcvbufBytes, 16 << 20);
  assert.equal(c.redis.minWriteIntervalMs, 1);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.releaseStartupPages, true);
});

test('release_startup_pages is a boolean; anything else is refused with the key named', () => {
  assert.equal(parseConfig({ release_startup_pages: false }).releaseStartupPages, false);
  assert.throws(() => parseConfig({ release_startup_pages: 'no' }), /release_startup_pages: must be true or false \(got "no"\)/);
});

test('a JSON config loads without the YAML parser, and a bad one names the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-cfg-'));
  try {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ redis: { unix_socket: '/run/redis.sock', min_write_interval_ms: 2 } }));
    const c = await loadConfig(file);
    assert.equal(c.redis.path, '/run/redis.sock');
    assert.equal(c.redis.minWriteIntervalMs, 2);
    writeFileSync(file, '{ "redis": ');
    await assert.rejects(loadConfig(file), (e: Error) => e instanceof ConfigError && e.message.includes(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
