import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLEET_FOOTPRINT, resetScript, SITE_FOOTPRINT } from '../../../bench/fleet/reset.js';
import { median } from '../../../bench/fleet/stats.js';
import { phaseSplit, roundTrips } from '../../../bench/fleet/tools.js';

test('round trips per host: the last host_stats event of each host is its total', () => {
  const lines = [
    '{"event":"play_start","play":"a"}',
    '{"event":"host_stats","host":"s1","roundTrips":1,"bytesUploaded":0}',
    '{"event":"host_stats","host":"s2","roundTrips":3,"bytesUploaded":0}',
    '{"event":"host_stats","host":"s1","roundTrips":2,"bytesUploaded":0}',
    '{"event":"host_stats","host":"s2","roundTrips":6,"bytesUploaded":0}',
    '{"event":"host_stats","host":"s3","roundTrips":2,"bytesUploaded":0}',
  ].join('\n');
  assert.deepEqual(roundTrips(lines), { min: 2, max: 6, median: 2 });
  assert.equal(roundTrips('{"event":"recap","hosts":{}}'), undefined);
});

test("phase split: each phase from the previous one's last end to its own; report in all; none without timings", () => {
  const recap = {
    event: 'recap',
    hosts: {},
    timings: {
      'start-up': { from: 0, to: 150 },
      load: { from: 151, to: 170 },
      connect: { from: 175, to: 450 },
      gather: { from: 175, to: 700 },
      plan: { from: 500, to: 720 },
      apply: { from: 721, to: 721 },
      report: { from: 0, to: 3 },
    },
  };
  assert.deepEqual(phaseSplit(`{"event":"play_start"}\n${JSON.stringify(recap)}\n`), {
    'start-up': 150,
    load: 20,
    connect: 280,
    gather: 250,
    plan: 20,
    apply: 1,
    report: 3,
  });
  assert.equal(phaseSplit('{"event":"recap","hosts":{}}'), undefined);
});

test('median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('the site reset stops the deployed daemon, removes its release and config trees and restores the emulated knobs', () => {
  const script = resetScript(SITE_FOOTPRINT, {
    sysctl: Object.fromEntries(SITE_FOOTPRINT.sysctlKeys.map((k) => [k, '1'])),
    irqAffinityList: '0-1',
    knobs: {
      '/sys/kernel/mm/transparent_hugepage/enabled': [['/sys/kernel/mm/transparent_hugepage/enabled', 'always [madvise] never']],
      '/sys/block/*/queue/scheduler': [['/sys/block/sda/queue/scheduler', 'none [mq-deadline] kyber']],
      '/proc/other': [['/proc/other', 'not this footprint']],
    },
  });
  assert.match(script, /systemctl disable --now 'portsyncd.service'/);
  assert.match(script, /rm -rf .*'\/opt\/portsyncd'/);
  assert.match(script, /printf '%s\\n' 'always \[madvise\] never' > '\/sys\/kernel\/mm\/transparent_hugepage\/enabled'/);
  assert.match(script, /'none \[mq-deadline\] kyber' > '\/sys\/block\/sda\/queue\/scheduler'/);
  assert.doesNotMatch(script, /not this footprint/);
  assert.ok(script.indexOf('disable --now') < script.indexOf('rm -rf'), 'the daemon stops before its release goes');
});

test('the reset removes every file, disables the unit and restores the recorded values', () => {
  const script = resetScript(FLEET_FOOTPRINT, {
    sysctl: { 'net.core.somaxconn': '4096', 'net.ipv4.tcp_fastopen': '1', 'net.ipv4.tcp_keepalive_time': '7200' },
    irqAffinityList: '0-1',
  });
  for (const f of FLEET_FOOTPRINT.files) assert.ok(script.includes(`'${f}'`), f);
  assert.match(script, /systemctl disable --now 'portsyncd-tuning-irq.service'/);
  assert.match(script, /systemctl daemon-reload/);
  assert.match(script, /sysctl -q -w 'net.core.somaxconn=4096'/);
  assert.match(script, /sysctl -q -w 'net.ipv4.tcp_keepalive_time=7200'/);
  assert.match(script, /echo '0-1' > "\$f"/);
});
