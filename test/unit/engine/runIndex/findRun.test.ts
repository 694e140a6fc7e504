import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRunFinder, findRun, type RunLookup } from '../../../../src/engine/runIndex/queryRunIndex';
import type { IndexedStore } from '../../../../src/engine/runIndex/runIndexModel';
import type { RunSummary } from '../../../../src/engine/runs/model';

/** A store holding runs of these ids (the finder reads ids and keeps the store of a match). */
function store(...ids: string[]): IndexedStore {
  const runs = ids.map((id): RunSummary => ({
    id,
    source: 'csv',
    name: id,
    status: 'succeeded',
    params: {},
    metrics: {},
    location: `/ws/${id}`,
  }));
  return {
    readerKey: 'csv#0',
    store: { source: 'csv', path: `/ws/${ids[0]}` },
    runs,
    problems: [],
    inputs: { present: [], stats: [], absent: [] },
    isLive: false,
  };
}

const shown = (lookup: RunLookup) =>
  lookup.kind === 'found'
    ? `found ${lookup.found.run.id}`
    : lookup.kind === 'ambiguous'
      ? `ambiguous ${lookup.candidates.join(' ')}`
      : `missing ${lookup.nearMatches.join(' ')}`;

test('a lookup fed store by store answers what the whole index answers: exact id first, then the path, a unique prefix, else near ids', () => {
  const stores = [
    store('csv:runs/a', 'csv:runs/a-long'),
    store('mlc:runs/a'),
    store('csv:logs/b1', 'csv:logs/b2'),
    store('csv:logs/c'),
  ];
  const snapshot = { version: 2, root: '/ws', readersKey: '', builtAt: 0, folders: {}, stores } as const;
  const cases: Record<string, string> = {
    // A path match comes first in the index; the exact id later still wins.
    'mlc:runs/a': 'found mlc:runs/a',
    'runs/a/': 'found csv:runs/a',
    'csv:runs/a-l': 'found csv:runs/a-long',
    'logs/b': 'ambiguous csv:logs/b1 csv:logs/b2',
    'csv:logs/d': 'missing csv:logs/c csv:logs/b1 csv:logs/b2 csv:runs/a',
    'nothing-here-at-all': 'missing ',
  };
  for (const [id, expected] of Object.entries(cases)) {
    assert.equal(shown(findRun(snapshot as never, id)), expected, id);
    const finder = createRunFinder(id);
    for (const fed of stores) finder.add(fed);
    assert.equal(shown(finder.result()), expected, `${id}, fed store by store`);
  }
  // The run found comes with its own store (its reader reads the series).
  const found = findRun(snapshot as never, 'csv:logs/c');
  assert.equal(found.kind === 'found' && found.found.store, stores[3]);
});
