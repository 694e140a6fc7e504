import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/cliContext';
import { requireRun, runToJson } from '../../../src/cli/runLookup';
import type { IndexedRun } from '../../../src/engine/runIndex/queryRunIndex';

test('requireRun gives back the run found, and refuses an ambiguous or unknown id with the candidates', () => {
  const found = { run: { id: 'r1' } } as unknown as IndexedRun;
  assert.equal(requireRun({ kind: 'found', found }, 'r1'), found);
  assert.throws(
    () => requireRun({ kind: 'ambiguous', candidates: ['r1a', 'r1b'] }, 'r1'),
    (error: Error) => error instanceof UsageError && /'r1' matches several runs: r1a, r1b\./.test(error.message),
  );
  assert.throws(
    () => requireRun({ kind: 'missing', nearMatches: ['r2'] }, 'r3'),
    (error: Error) =>
      error instanceof UsageError && error.message === "no run 'r3' here (see mlc runs). Did you mean: r2?",
  );
});

test('runToJson keeps every key, null where a value is absent, the location relative to the cwd', () => {
  const json = runToJson(
    { id: 'a', source: 'mlc', name: 'a', status: 'succeeded', params: {}, metrics: {}, location: '/ws/.mlc/runs/a' },
    '/ws',
  );
  assert.deepEqual(json, {
    id: 'a',
    source: 'mlc',
    name: 'a',
    status: 'succeeded',
    startedAt: null,
    endedAt: null,
    params: {},
    metrics: {},
    git: null,
    location: '.mlc/runs/a',
  });
});
