import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart, linearTicks, logTicks } from '../../../bench/report/svg-chart.js';

test('linear ticks are round and cover the range', () => {
  assert.deepEqual(linearTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(linearTicks(0, 7), [0, 2, 4, 6, 8]);
});

test('log ticks run from the power of ten at or below the minimum to the one at or above the maximum', () => {
  assert.deepEqual(logTicks(1.2, 60), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(0.5, 3000), [0.1, 1, 10, 100, 1000, 10000]);
});

test('a chart has one polyline per series with several points, a marker per point and a legend entry', () => {
  const svg = lineChart({
    title: 'time <vs> hosts',
    xLabel: 'switches',
    yLabel: 'seconds',
    logY: true,
    series: [
      {
        name: 'a',
        color: '#111',
        points: [
          [10, 1],
          [50, 3],
          [100, 6],
        ],
      },
      {
        name: 'b',
        color: '#222',
        dashed: true,
        points: [
          [10, 12],
          [50, 60],
        ],
      },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<polyline /g)?.length, 2);
  assert.equal(svg.match(/<circle /g)?.length, 5);
  assert.match(svg, /time &lt;vs&gt; hosts/);
  assert.match(svg, /stroke-dasharray/);
  assert.match(svg, /\(log scale\)/);
  // Every coordinate is a finite number inside the canvas.
  for (const [, x, y] of svg.matchAll(/cx="([^"]+)" cy="([^"]+)"/g)) {
    assert.ok(Number(x) >= 0 && Number(x) <= 720 && Number(y) >= 0 && Number(y) <= 420, `${x},${y}`);
  }
});

test('a chart without data says so instead of drawing NaN', () => {
  const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', color: '#000', points: [] }] });
  assert.match(svg, /no data/);
  assert.doesNotMatch(svg, /NaN/);
});
