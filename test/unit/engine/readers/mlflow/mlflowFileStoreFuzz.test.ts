import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMlflowFileStoreReader } from '../../../../../src/engine/readers/mlflow/mlflowFileStoreReader';
import { readMlflowFileRegistry } from '../../../../../src/engine/readers/mlflow/readMlflowFileRegistry';
import { readMetricHistory } from '../../../../../src/engine/readers/mlflow/readMetricHistory';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import { writeMlflowFileStore } from '../../../../support/mlflowFixtures';

const runId = 'a'.repeat(32);
const runFolder = `/ws/mlruns/0/${runId}`;
const reader = createMlflowFileStoreReader({ clock: { now: () => 1_700_000_000_000 } });

function validStore() {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, '/ws/mlruns', {
    experiments: [
      {
        id: '0',
        name: 'Default',
        runs: [
          { id: runId, name: 'r', startTime: 1, endTime: 2, params: { lr: '0.1' }, metrics: { loss: [[1, 0.5, 0]] } },
        ],
      },
    ],
    models: [{ name: 'm', createdAt: 1, aliases: { a: 1 }, versions: [{ version: 1, source: 's', createdAt: 1 }] }],
  });
  return fs;
}

const targets = [
  `${runFolder}/meta.yaml`,
  `${runFolder}/metrics/loss`,
  `${runFolder}/params/lr`,
  '/ws/mlruns/0/meta.yaml',
  '/ws/mlruns/models/m/meta.yaml',
  '/ws/mlruns/models/m/version-1/meta.yaml',
  '/ws/mlruns/models/m/aliases/a',
];

const junk = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.string({ maxLength: 300 }).map((text) => new TextEncoder().encode(text)),
);

test('random bytes in any file of a store never make the file-store reader throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...targets), junk, async (target, bytes) => {
      const fs = validStore();
      fs.writeFileAtomic(target, bytes);
      const listing = await reader.list({ source: 'mlflow', path: '/ws/mlruns' }, { fs });
      const series = await reader.series({ source: 'mlflow', path: '/ws/mlruns' }, runId, { fs });
      const registry = readMlflowFileRegistry(fs, '/ws/mlruns');
      assert.ok(listing.runs.length <= 1);
      assert.ok(Array.isArray(series.problems) && Array.isArray(registry.problems));
      for (const problem of [...listing.problems, ...series.problems, ...registry.problems]) {
        assert.ok(problem.line >= 1 && problem.column >= 1 && problem.code.startsWith('mlflow'));
      }
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('every truncation of a metric history reads a prefix of its points and resumes to the full history', () => {
  const text = '1000 0.5 0\n1001 nan 1\n1002 inf 2\n1003 1e-05\n1004 -0.25 4 x\n';
  fc.assert(
    fc.property(fc.integer({ min: 0, max: text.length }), (cut) => {
      const fs = createMemoryFileSystem({ '/m': text.slice(0, cut) });
      const partial = readMetricHistory(fs, '/m');
      assert.equal(partial.problems.length, 0);
      assert.equal(partial.nextOffset + partial.pendingBytes, cut);
      fs.writeFileAtomic('/m', text);
      const rest = readMetricHistory(fs, '/m', partial.nextOffset);
      assert.equal(partial.series.values.length + rest.series.values.length, 5);
    }),
    { numRuns: 200, seed: 7 },
  );
});
