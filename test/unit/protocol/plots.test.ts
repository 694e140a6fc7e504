import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricChartsActionValidators } from '../../../src/protocol/metricCharts';
import { parseMessage } from '../../../src/protocol/validateMessage';

test('requestPlots is accepted by the Metric Charts panel with a whole non-negative request id only', () => {
  assert.equal(parseMessage({ type: 'requestPlots', requestId: 3 }, metricChartsActionValidators).ok, true);
  for (const requestId of [-1, 1.5, '3', undefined, Number.NaN]) {
    assert.equal(
      parseMessage({ type: 'requestPlots', requestId }, metricChartsActionValidators).ok,
      false,
      String(requestId),
    );
  }
});
