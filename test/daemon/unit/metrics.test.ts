import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter } from '../../../daemon/src/obs/metrics.js';

const rendered = (c: Counter) => {
  const out: string[] = [];
  c.render(out);
  return out;
};

test('a counter without labels is exported at 0 before its first event', () => {
  const c = new Counter('portsyncd_netlink_drops_total', 'drops');
  assert.deepEqual(rendered(c), ['portsyncd_netlink_drops_total 0']);
  c.inc();
  assert.deepEqual(rendered(c), ['portsyncd_netlink_drops_total 1']);
});

test('known label sets are exported at 0 before their first event, so a first resync is an increase', () => {
  const c = new Counter('portsyncd_resyncs_total', 'resyncs', [{ reason: 'enobufs' }, { reason: 'truncated' }]);
  assert.deepEqual(rendered(c), ['portsyncd_resyncs_total{reason="enobufs"} 0', 'portsyncd_resyncs_total{reason="truncated"} 0']);
  c.inc(1, { reason: 'enobufs' });
  assert.deepEqual(rendered(c), ['portsyncd_resyncs_total{reason="enobufs"} 1', 'portsyncd_resyncs_total{reason="truncated"} 0']);
});
