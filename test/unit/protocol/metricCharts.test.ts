import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMetricChartsPersistedState, metricChartsActionValidators } from '../../../src/protocol/metricCharts';
import { parseMessage } from '../../../src/protocol/validateMessage';

const parse = (message: unknown) => parseMessage(message, metricChartsActionValidators);

test('a refinement needs a metric, an x column, finite ordered ranges and a sane point budget', () => {
  const refine = {
    type: 'refineSeries',
    requestId: 3,
    metric: 'train/loss',
    x: 'step',
    ranges: [{ runId: 'a', min: 1, max: 2 }],
    maxPoints: 4000,
  };
  assert.equal(parse(refine).ok, true);
  assert.equal(parse({ ...refine, x: 'wallTime' }).ok, false, 'x is a recorded column, not an axis');
  assert.equal(parse({ ...refine, ranges: [{ runId: 'a', min: 2, max: 1 }] }).ok, false);
  assert.equal(parse({ ...refine, ranges: [{ runId: 'a', min: Number.NaN, max: 1 }] }).ok, false);
  assert.equal(parse({ ...refine, maxPoints: 10_000_000 }).ok, false, 'the page cannot ask for everything');
  assert.equal(parse({ ...refine, requestId: 1.5 }).ok, false);
});

test('exports carry a PNG data URL or a text table, nothing else', () => {
  assert.equal(parse({ type: 'exportPng', metric: 'loss', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' }).ok, true);
  assert.equal(parse({ type: 'exportPng', metric: 'loss', dataUrl: 'data:text/html;base64,PGI+' }).ok, false);
  assert.equal(parse({ type: 'exportPng', metric: 'loss', dataUrl: 'file:///etc/passwd' }).ok, false);
  assert.equal(parse({ type: 'exportCsv', metric: 'loss', header: ['Step', 'a'], rows: [['1', '2']] }).ok, true);
  assert.equal(parse({ type: 'exportCsv', metric: 'loss', header: ['Step'], rows: [[1]] }).ok, false);
  assert.equal(parse({ type: 'removeRun', runId: '' }).ok, false);
  assert.equal(parse({ type: 'addRuns' }).ok, true);
});

test('a restored panel knows its runs only from a list of ids', () => {
  assert.equal(isMetricChartsPersistedState({ runIds: ['a', 'b'], xAxis: 'step' }), true);
  assert.equal(isMetricChartsPersistedState({ runIds: 'a' }), false);
  assert.equal(isMetricChartsPersistedState(undefined), false);
});
