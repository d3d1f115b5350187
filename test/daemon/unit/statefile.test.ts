import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PortState } from '../../../daemon/src/core/port.js';
import { loadState, SaveBuffer, saveState } from '../../../daemon/src/statefile.js';

test('the save buffer is reused while the text fits and grows once when it does not', () => {
  const scratch = new SaveBuffer();
  const a = scratch.encode('{"a":1}');
  const b = scratch.encode('{"bé":2}');
  assert.equal(b.toString(), '{"bé":2}');
  assert.equal(a.buffer, b.buffer, 'the same memory for both saves');
  const big = 'x'.repeat(40_000);
  const c = scratch.encode(big);
  assert.equal(c.length, 40_000);
  assert.notEqual(c.buffer, b.buffer);
  assert.equal(scratch.encode('{}').buffer, c.buffer, 'the grown buffer is kept');
});

test('a saved state larger than the initial buffer loads back whole, and no temp file is left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-state-'));
  try {
    const file = join(dir, 'sub', 'state.json');
    const ports: PortState[] = Array.from({ length: 600 }, (_, i) => ({
      name: `Ethernet${i}`,
      ifindex: i + 2,
      admin: true,
      oper: i % 2 === 0,
      mtu: 9100,
    }));
    const scratch = new SaveBuffer();
    await saveState(file, ports.slice(0, 2), scratch);
    await saveState(file, ports, scratch);
    const loaded = await loadState(file);
    assert.equal(loaded?.size, 600);
    assert.deepEqual(loaded?.get('Ethernet599'), ports[599]);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['state.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
