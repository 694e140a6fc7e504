import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDecade, logLogSvg } from '../../../../bench/support/logLogSvg';

/** The [x, y] pairs of one series' polyline. */
function polyline(svg: string, name: string): Array<[number, number]> {
  const match = new RegExp(`data-series="${name}" points="([^"]*)"`).exec(svg);
  assert.ok(match, `no polyline for ${name}`);
  return match[1]!.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

test('each decade is the same distance on both axes (log-log), and a linear curve is a straight line', () => {
  const svg = logLogSvg({
    title: 'status vs files',
    xLabel: 'files',
    yLabel: 'ms',
    series: [
      { name: 'ours', points: [1e3, 1e4, 1e5, 1e6].map((x) => ({ x, y: x / 100 })) },
      { name: 'baseline', dashed: true, points: [1e3, 1e6].map((x) => ({ x, y: x / 1000 })) },
    ],
  });
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  const ours = polyline(svg, 'ours');
  const xSteps = ours.slice(1).map(([x], index) => x - ours[index]![0]);
  const ySteps = ours.slice(1).map(([, y], index) => y - ours[index]![1]);
  for (const step of xSteps) assert.ok(Math.abs(step - xSteps[0]!) < 0.2, `x steps ${xSteps.join(', ')}`);
  for (const step of ySteps) assert.ok(Math.abs(step - ySteps[0]!) < 0.2, `y steps ${ySteps.join(', ')}`);
  assert.ok(ySteps[0]! < 0, 'a higher cost is drawn higher up');
  assert.match(svg, /data-series="baseline"[^>]*stroke-dasharray/);
  for (const label of ['1k', '10k', '100k', '1M']) assert.ok(svg.includes(`>${label}</text>`), label);
});

test('points a log scale cannot place are left out, and text is escaped', () => {
  const svg = logLogSvg({
    title: 'a < b & "c"',
    xLabel: 'x',
    yLabel: 'y',
    series: [
      {
        name: 'ours',
        points: [
          { x: 0, y: 1 },
          { x: 10, y: Number.NaN },
          { x: 10, y: 5 },
          { x: 100, y: 50 },
        ],
      },
    ],
  });
  assert.equal(polyline(svg, 'ours').length, 2);
  assert.ok(svg.includes('a &lt; b &amp; &quot;c&quot;'));
});

test('decade labels', () => {
  assert.deepEqual([0.01, 1, 100, 1e3, 1e4, 1e6, 1e7, 1e9].map(formatDecade), [
    '0.01',
    '1',
    '100',
    '1k',
    '10k',
    '1M',
    '10M',
    '1G',
  ]);
});
