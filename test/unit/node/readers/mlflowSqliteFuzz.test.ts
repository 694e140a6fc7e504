import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMlflowSqliteReader } from '../../../../src/node/readers/mlflowSqliteReader';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';
import { createMlflowDatabase, generateMlflowStoreSpec } from '../../../support/mlflowFixtures';

const path = '/ws/mlflow.db';
const store = { source: 'mlflow' as const, path };

async function readEverything(bytes: Uint8Array, wal?: Uint8Array) {
  const reader = createMlflowSqliteReader({ clock: { now: () => 1_700_000_000_000 } });
  const fs = createMemoryFileSystem({ [path]: bytes, ...(wal ? { [`${path}-wal`]: wal } : {}) });
  const listing = await reader.list(store, { fs });
  const series = await reader.series(store, listing.runs[0]?.id ?? 'mlflow:none', { fs });
  const registry = await reader.registry(store, { fs });
  reader.dispose();
  for (const problem of [...listing.problems, ...series.problems, ...registry.problems]) {
    assert.ok(problem.line >= 1 && problem.code.startsWith('mlflow'));
  }
  return listing;
}

test('random bytes, with or without a SQLite header or a WAL, never make the SQLite reader throw', async () => {
  const header = new TextEncoder().encode('SQLite format 3\0');
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 8192 }),
      fc.boolean(),
      fc.option(fc.uint8Array({ maxLength: 2048 })),
      async (bytes, withHeader, wal) => {
        const file = withHeader ? new Uint8Array([...header, ...bytes]) : bytes;
        const listing = await readEverything(file, wal ?? undefined);
        assert.ok(Array.isArray(listing.runs));
      },
    ),
    { numRuns: 60, seed: 3 },
  );
});

test('a real mlflow.db truncated or corrupted anywhere gives problems or runs, never a throw', async () => {
  const valid = await createMlflowDatabase(
    generateMlflowStoreSpec({ runs: 40, params: 3, metrics: 3, points: 5, seed: 9 }),
    '5b0e9adcef9c',
  );
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: valid.length }),
      fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
      async (cut, flips) => {
        const bytes = valid.slice(0, cut);
        for (const [offset, value] of flips) if (offset < bytes.length) bytes[offset] = value;
        const listing = await readEverything(bytes);
        assert.ok(listing.runs.length <= 40);
      },
    ),
    { numRuns: 60, seed: 11 },
  );
});
