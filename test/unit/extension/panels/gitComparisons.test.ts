import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../../src/engine/runs/model';
import { gitComparisons } from '../../../../src/extension/panels/gitComparisons';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const run = (id: string, commit: string | undefined, overrides: Partial<RunSummary> = {}) => ({
  root: '/ws',
  run: {
    id,
    source: 'mlc' as const,
    name: id,
    status: 'succeeded' as const,
    params: {},
    metrics: {},
    git: { commit, dirty: false },
    location: `/ws/.mlc/runs/${id}`,
    ...overrides,
  },
});

test('the baseline commit is diffed once per other commit; a run at the same commit is a comparison too', () => {
  const baseline = run('r1', A);
  const comparisons = gitComparisons(baseline, [baseline, run('r2', A), run('r3', B), run('r4', B)]);
  assert.deepEqual(comparisons, [
    { from: A, to: A, runIds: ['r2'], dirty: false },
    { from: A, to: B, runIds: ['r3', 'r4'], dirty: false },
  ]);
});

test('uncommitted changes are flagged; other tools’ runs, other folders and unknown commits are left out', () => {
  const baseline = run('r1', A);
  const comparisons = gitComparisons(baseline, [
    run('r2', B, { git: { commit: B, dirty: true } }),
    run('mlflow:x', B, { source: 'mlflow' }),
    { ...run('r3', B), root: '/other' },
    run('r4', undefined),
  ]);
  assert.deepEqual(comparisons, [{ from: A, to: B, runIds: ['r2'], dirty: true }]);
  assert.deepEqual(gitComparisons(run('r5', undefined), [run('r2', B)]), [], 'no baseline commit, no diff');
});
