import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countText } from '../../../../webview-ui/pipelineGraph/countText';

test('a count is written with thousands separators, as en-US writes it', () => {
  for (const count of [0, 7, 999, 1000, 12345, 200000, 1234567]) {
    assert.equal(countText(count), count.toLocaleString('en-US'));
  }
});
