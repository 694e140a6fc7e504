import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRunId, isRunId } from '../../../../src/engine/runStore/createRunId';
import { readSummaryMetrics } from '../../../../src/engine/runStore/readSummaryMetrics';
import { safeFileName } from '../../../../src/engine/runStore/safeFileName';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

test('run ids are UTC start time plus six hex digits, and sort by start time', () => {
  const early = createRunId(Date.UTC(2026, 10, 26, 8, 15, 0), () => 0.999);
  const late = createRunId(Date.UTC(2026, 10, 26, 8, 15, 1), () => 0);
  assert.equal(late, '20261126-081501-000000');
  assert.ok(isRunId(early));
  assert.ok(early < late);
});

test('safeFileName keeps plain addresses and makes others distinct file names', () => {
  assert.equal(safeFileName('train@cnn'), 'train@cnn');
  const nested = safeFileName('sub/dvc.yaml:train');
  assert.match(nested, /^sub_dvc\.yaml_train-[0-9a-f]{8}$/);
  assert.notEqual(safeFileName('a/b'), safeFileName('a:b'));
  assert.doesNotMatch(safeFileName('../$(touch pwned)'), /[/$() ]/);
});

test('summary metrics files in JSON, YAML and TOML are flattened with dots; unreadable files give nothing', () => {
  const fs = createMemoryFileSystem({
    '/ws/m.json': '{"acc": 0.9, "eval": {"auc": 0.8, "name": "x"}}',
    '/ws/m.yaml': 'loss: 0.1\nnested:\n  f1: 0.7\n',
    '/ws/m.toml': 'rmse = 1.5\n[test]\nr2 = 0.3\n',
    '/ws/bad.json': '{"acc": ',
  });
  assert.deepEqual(readSummaryMetrics(fs, '/ws/m.json'), { acc: 0.9, 'eval.auc': 0.8 });
  assert.deepEqual(readSummaryMetrics(fs, '/ws/m.yaml'), { loss: 0.1, 'nested.f1': 0.7 });
  assert.deepEqual(readSummaryMetrics(fs, '/ws/m.toml'), { rmse: 1.5, 'test.r2': 0.3 });
  assert.equal(readSummaryMetrics(fs, '/ws/bad.json'), undefined);
  assert.equal(readSummaryMetrics(fs, '/ws/missing.json'), undefined);
});
