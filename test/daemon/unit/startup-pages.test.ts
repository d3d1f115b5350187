import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releasableRanges, releaseStartupPages } from '../../../daemon/src/memory/startup-pages.js';

const mapping = (range: string, perms: string, path: string, rssKb: number, anonKb: number | undefined) =>
  [
    `${range} ${perms} 00000000 08:01 1234 ${path}`.trimEnd(),
    'Size:               1024 kB',
    `Rss:             ${rssKb} kB`,
    'Pss:                 512 kB',
    ...(anonKb === undefined ? [] : [`Anonymous:       ${anonKb} kB`]),
    'VmFlags: rd mr mw me',
  ].join('\n');

test('only read-only file mappings without privately written pages are released', () => {
  const smaps = [
    mapping('00400000-00c00000', 'r--p', '/opt/portsyncd/bin/node', 7000, 0), // rodata: yes
    mapping('00c00000-02600000', 'r-xp', '/opt/portsyncd/bin/node', 16000, 0), // text: yes
    mapping('02600000-02700000', 'r--p', '/opt/portsyncd/bin/node', 900, 900), // RELRO, relocated in place: no
    mapping('02700000-02800000', 'rw-p', '/opt/portsyncd/bin/node', 300, 12), // data: no
    mapping('7f0000000000-7f0000100000', 'rw-p', '', 4000, 4000), // heap: no
    mapping('7f0000200000-7f0000201000', '---p', '/usr/lib/libc.so.6', 0, 0), // guard: no
    mapping('7f0000300000-7f0000400000', 'r-xp', '/usr/lib/libc.so.6', 0, 0), // nothing resident: no
    mapping('7ffd00000000-7ffd00002000', 'r-xp', '[vdso]', 8, 0), // not a file: no
    mapping('7f0000500000-7f0000600000', 'r-xp', '/tmp/gone.so (deleted)', 64, undefined), // no Anonymous line: no
  ].join('\n');
  const ranges = releasableRanges(smaps);
  assert.deepEqual(
    ranges.map((r) => [r.start.toString(16), r.length.toString(16), r.rssKb]),
    [
      ['400000', '800000', 7000],
      ['c00000', '1a00000', 16000],
    ],
  );
});

test('addresses above 2^53 keep every digit', () => {
  const [r] = releasableRanges(mapping('ffff800000000000-ffff800000002000', 'r--p', '/lib/x.so', 8, 0));
  assert.equal(r!.start, 0xffff800000000000n);
  assert.equal(r!.length, 0x2000n);
});

test('this process releases its own start-up pages and counts a refused range as failed', () => {
  const calls: Array<[bigint, bigint]> = [];
  const r = releaseStartupPages({
    releasePages: (start, length) => {
      calls.push([start, length]);
      return calls.length === 1 ? -22 : 0;
    },
  });
  assert.ok(r.ranges > 0 && r.ranges === calls.length);
  assert.ok(r.residentBytes > 0);
  assert.equal(r.failed, 1);
  assert.ok(r.rssBeforeBytes > 0 && r.rssAfterBytes > 0);
});
